using System.Buffers.Binary;

namespace ActorStream.Benchmarks.Workloads;

/// <summary>The record shape of the producer benchmarks: an 8-byte key (the record number) and a 100-byte value.</summary>
public static class SampleRecords
{
    public const int KeySize = sizeof(long);
    public const int ValueSize = 100;
    public const long BaseTimestamp = 1_700_000_000_000;

    /// <summary>A fixed pseudo-random value, the same on every run.</summary>
    public static byte[] CreateValue(int length = ValueSize)
    {
        var value = new byte[length];
        new Random(42).NextBytes(value);
        return value;
    }

    /// <summary>Keys of records 0 .. count-1, each <see cref="KeySize"/> bytes, back to back.</summary>
    public static byte[] CreateKeys(int count)
    {
        var keys = new byte[count * KeySize];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(keys.AsSpan(i * KeySize), i);
        }

        return keys;
    }
}
