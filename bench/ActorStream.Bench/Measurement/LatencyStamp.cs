using System.Buffers.Binary;
using System.Diagnostics;

namespace ActorStream.Bench.Measurement;

/// <summary>
/// The first 16 bytes of a latency run's record value: the producer's <see cref="Stopwatch"/> timestamp at send and
/// the record's index. Producer and consumer run in the bench process, so both ends read one clock.
/// </summary>
internal static class LatencyStamp
{
    public const int Size = 16;

    public static byte[] NewValue(int recordSize, long index)
    {
        var value = new byte[Math.Max(recordSize, Size)];
        value.AsSpan(Size).Fill((byte)'x');
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(8), index);
        BinaryPrimitives.WriteInt64LittleEndian(value, Stopwatch.GetTimestamp());
        return value;
    }

    public static (long SentTimestamp, long Index) Read(ReadOnlySpan<byte> value) =>
        (BinaryPrimitives.ReadInt64LittleEndian(value), BinaryPrimitives.ReadInt64LittleEndian(value[8..]));
}
