using System.Runtime.CompilerServices;
using ActorStream.Storage.Errors;

namespace ActorStream.Storage.Records;

/// <summary>Zig-zag variable-length integers as Kafka's <c>ByteUtils</c> writes them (protobuf's sint32/sint64).</summary>
public static class Varint
{
    public const int MaxVarintBytes = 5;
    public const int MaxVarlongBytes = 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOf(int value) => SizeOfUnsigned((uint)((value << 1) ^ (value >> 31)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOf(long value) => SizeOfUnsigned((ulong)((value << 1) ^ (value >> 63)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SizeOfUnsigned(uint v) => v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : 5;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SizeOfUnsigned(ulong v)
    {
        var bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(v | 1);
        return (bits + 6) / 7;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, int value) =>
        WriteUnsigned(destination, (uint)((value << 1) ^ (value >> 31)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, long value)
    {
        var v = (ulong)((value << 1) ^ (value >> 63));
        var i = 0;
        while (v >= 0x80)
        {
            destination[i++] = (byte)(v | 0x80);
            v >>= 7;
        }

        destination[i++] = (byte)v;
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteUnsigned(Span<byte> destination, uint v)
    {
        if (v < 0x80)
        {
            destination[0] = (byte)v;
            return 1;
        }

        var i = 0;
        while (v >= 0x80)
        {
            destination[i++] = (byte)(v | 0x80);
            v >>= 7;
        }

        destination[i++] = (byte)v;
        return i;
    }

    /// <summary>Reads a zig-zag varint; throws <see cref="CorruptRecordException"/> when truncated or longer than 5 bytes.</summary>
    public static int ReadInt(ReadOnlySpan<byte> source, ref int position)
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if ((uint)position >= (uint)source.Length)
            {
                throw new CorruptRecordException("Truncated varint in record");
            }

            var b = source[position++];
            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return (int)(result >> 1) ^ -(int)(result & 1);
            }
        }

        throw new CorruptRecordException("Varint is longer than 5 bytes");
    }

    /// <summary>Reads a zig-zag varlong; throws <see cref="CorruptRecordException"/> when truncated or longer than 10 bytes.</summary>
    public static long ReadLong(ReadOnlySpan<byte> source, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if ((uint)position >= (uint)source.Length)
            {
                throw new CorruptRecordException("Truncated varlong in record");
            }

            var b = source[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return (long)(result >> 1) ^ -(long)(result & 1);
            }
        }

        throw new CorruptRecordException("Varlong is longer than 10 bytes");
    }
}
