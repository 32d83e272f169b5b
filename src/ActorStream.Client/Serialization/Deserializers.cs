using System.Buffers.Binary;
using System.Text;

namespace ActorStream.Client.Serialization;

/// <summary>Built-in deserializers, matching <see cref="Serializers"/>.</summary>
public static class Deserializers
{
    public static IDeserializer<string?> Utf8 { get; } = new Utf8Deserializer();
    public static IDeserializer<byte[]?> ByteArray { get; } = new ByteArrayDeserializer();
    public static IDeserializer<int> Int32 { get; } = new Int32Deserializer();
    public static IDeserializer<long> Int64 { get; } = new Int64Deserializer();
    public static IDeserializer<Null?> Null { get; } = new NullDeserializer<Null>();
    public static IDeserializer<Ignore?> Ignore { get; } = new NullDeserializer<Ignore>();

    /// <summary>The built-in deserializer of <typeparamref name="T"/>, or null when there is none.</summary>
    internal static IDeserializer<T>? Default<T>() =>
        (typeof(T) == typeof(string) ? Utf8
            : typeof(T) == typeof(byte[]) ? ByteArray
            : typeof(T) == typeof(int) ? Int32
            : typeof(T) == typeof(long) ? Int64
            : typeof(T) == typeof(Null) ? Null
            : typeof(T) == typeof(Ignore) ? (object)Ignore
            : null) as IDeserializer<T>;

    private sealed class Utf8Deserializer : IDeserializer<string?>
    {
        public string? Deserialize(ReadOnlySpan<byte> data, bool isNull, string topic) => isNull ? null : Encoding.UTF8.GetString(data);
    }

    private sealed class ByteArrayDeserializer : IDeserializer<byte[]?>
    {
        public byte[]? Deserialize(ReadOnlySpan<byte> data, bool isNull, string topic) => isNull ? null : data.ToArray();
    }

    private sealed class Int32Deserializer : IDeserializer<int>
    {
        public int Deserialize(ReadOnlySpan<byte> data, bool isNull, string topic) =>
            isNull || data.Length != 4
                ? throw new FormatException($"An int32 needs exactly 4 bytes, got {(isNull ? "null" : data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))}")
                : BinaryPrimitives.ReadInt32BigEndian(data);
    }

    private sealed class Int64Deserializer : IDeserializer<long>
    {
        public long Deserialize(ReadOnlySpan<byte> data, bool isNull, string topic) =>
            isNull || data.Length != 8
                ? throw new FormatException($"An int64 needs exactly 8 bytes, got {(isNull ? "null" : data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))}")
                : BinaryPrimitives.ReadInt64BigEndian(data);
    }

    private sealed class NullDeserializer<T> : IDeserializer<T?>
        where T : class
    {
        public T? Deserialize(ReadOnlySpan<byte> data, bool isNull, string topic) => null;
    }
}
