using System.Buffers.Binary;
using System.Text;

namespace ActorStream.Client.Serialization;

/// <summary>Built-in serializers, byte-compatible with Kafka's (integers are big-endian).</summary>
public static class Serializers
{
    public static ISerializer<string> Utf8 { get; } = new Utf8Serializer();
    public static ISerializer<byte[]> ByteArray { get; } = new ByteArraySerializer();
    public static ISerializer<int> Int32 { get; } = new Int32Serializer();
    public static ISerializer<long> Int64 { get; } = new Int64Serializer();
    public static ISerializer<Null> Null { get; } = new NullSerializer();

    /// <summary>The built-in serializer of <typeparamref name="T"/>, or null when there is none.</summary>
    internal static ISerializer<T>? Default<T>() =>
        (typeof(T) == typeof(string) ? Utf8
            : typeof(T) == typeof(byte[]) ? ByteArray
            : typeof(T) == typeof(int) ? Int32
            : typeof(T) == typeof(long) ? Int64
            : typeof(T) == typeof(Null) ? (object)Null
            : null) as ISerializer<T>;

    private sealed class Utf8Serializer : ISerializer<string>
    {
        public byte[]? Serialize(string? data, string topic) => data is null ? null : Encoding.UTF8.GetBytes(data);
    }

    private sealed class ByteArraySerializer : ISerializer<byte[]>
    {
        public byte[]? Serialize(byte[]? data, string topic) => data;
    }

    private sealed class Int32Serializer : ISerializer<int>
    {
        public byte[]? Serialize(int data, string topic)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(bytes, data);
            return bytes;
        }
    }

    private sealed class Int64Serializer : ISerializer<long>
    {
        public byte[]? Serialize(long data, string topic)
        {
            var bytes = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(bytes, data);
            return bytes;
        }
    }

    private sealed class NullSerializer : ISerializer<Null>
    {
        public byte[]? Serialize(Null? data, string topic) => null;
    }
}
