using System.Buffers.Binary;

namespace ActorStream.Kafka.Protocol;

/// <summary>
/// Kafka's UUID (topic ids): 16 bytes, the most significant 64 bits first, as <c>java.util.UUID</c> writes it, which is
/// the byte order of the textual form. <see cref="Guid"/> keeps its first three groups little-endian, hence the swaps.
/// </summary>
public static class KafkaUuid
{
    public static Guid FromBytes(ReadOnlySpan<byte> bytes) => new(bytes, bigEndian: true);

    public static void ToBytes(Guid value, Span<byte> destination)
    {
        if (!value.TryWriteBytes(destination, bigEndian: true, out _))
        {
            throw new ArgumentException("A UUID needs 16 bytes", nameof(destination));
        }
    }

    /// <summary>The two longs Kafka's <c>Uuid</c> is made of (its string form is base64 of these 16 bytes).</summary>
    public static (long Most, long Least) ToLongs(Guid value)
    {
        Span<byte> bytes = stackalloc byte[16];
        ToBytes(value, bytes);
        return (BinaryPrimitives.ReadInt64BigEndian(bytes), BinaryPrimitives.ReadInt64BigEndian(bytes[8..]));
    }
}
