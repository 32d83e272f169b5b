using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ActorStream.Storage.Records;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of RecordBatch v2, on the SSE4.2 / ARMv8 CRC instruction through
/// <see cref="BitOperations.Crc32C(uint, ulong)"/>, eight bytes per step.
/// </summary>
/// <remarks>
/// One CRC instruction has a latency of about three cycles but a throughput of one per cycle, so a single
/// dependency chain wastes two thirds of it. Large inputs are therefore cut into three equal blocks whose CRCs run
/// interleaved (three independent chains) and are combined afterwards: the CRC register is linear, so
/// <c>crc(r, A‖B) = shift(crc(r, A), |B|) ⊕ crc(0, B)</c>, where <c>shift</c> (feeding |B| zero bytes) is applied
/// with four precomputed 256-entry tables per block size (the technique of Mark Adler's crc32c.c).
/// Where the CPU has carry-less multiplication (PCLMULQDQ), long inputs are instead folded 64 bytes at a time in four
/// 128-bit lanes (Intel's "Fast CRC Computation Using PCLMULQDQ", reflected form); the folded 16 bytes are then
/// reduced with the CRC instruction itself. The fold constants are <c>(x^n mod P)</c> reflected, derived the same
/// way as zlib's CRC-32 constants (a test checks the results against the bitwise definition).
/// </remarks>
public static class Crc32C
{
    private const int LongBlock = 8192;
    private const int ShortBlock = 256;

    private static readonly uint[] LongShift = BuildShiftTable(LongBlock);
    private static readonly uint[] ShortShift = BuildShiftTable(ShortBlock);

    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFF_FFFFu, data);

    /// <summary>Continues a raw (non-inverted) CRC register over <paramref name="data"/>.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (Pclmulqdq.V512.IsSupported && data.Length >= Fold512Threshold)
        {
            var folded = data.Length & ~255;
            crc = Fold512(crc, data[..folded]);
            data = data[folded..];
        }

        if (Pclmulqdq.IsSupported && Sse2.IsSupported && data.Length >= FoldThreshold)
        {
            var folded = data.Length & ~63;
            crc = Fold(crc, data[..folded]);
            data = data[folded..];
        }

        if (BitConverter.IsLittleEndian)
        {
            while (data.Length >= 3 * LongBlock)
            {
                crc = Interleaved(crc, data, LongBlock, LongShift);
                data = data[(3 * LongBlock)..];
            }

            while (data.Length >= 3 * ShortBlock)
            {
                crc = Interleaved(crc, data, ShortBlock, ShortShift);
                data = data[(3 * ShortBlock)..];
            }
        }

        return Sequential(crc, data);
    }

    /// <summary>Below this size the setup of the folding loop costs more than it saves.</summary>
    private const int FoldThreshold = 512;

    // (x^(4·128+32) mod P)', (x^(4·128−32) mod P)': fold four lanes by 512 bits; then by 128 bits to merge lanes.
    private const ulong K1 = 0x740EEF02, K2 = 0x9E4ADDF8, K3 = 0xF20C0DFE, K4 = 0x14CD00BD6;

    private const int Fold512Threshold = 2048;

    // Fold constants by distance: 2048 bits (four 512-bit lanes), then 384 / 256 bits to merge 128-bit sub-lanes.
    private const ulong K2048Lo = 0xDCB17AA4, K2048Hi = 0xB9E02B86;
    private const ulong K384Lo = 0x1C291D04, K384Hi = 0x1D82C63DA, K256Lo = 0x1384AA63A, K256Hi = 0xBA4FC28E;

    /// <summary>
    /// CRC of <paramref name="data"/> (a multiple of 256 bytes, at least 256) with VPCLMULQDQ: four 512-bit
    /// accumulators fold 256 bytes per step, are merged into one, whose four 128-bit lanes are merged into one.
    /// </summary>
    private static uint Fold512(uint crc, ReadOnlySpan<byte> data)
    {
        ref var start = ref MemoryMarshal.GetReference(data);
        var x0 = Vector512.LoadUnsafe(ref start, 0).AsUInt64() ^ Vector512.CreateScalar((ulong)crc);
        var x1 = Vector512.LoadUnsafe(ref start, 64).AsUInt64();
        var x2 = Vector512.LoadUnsafe(ref start, 128).AsUInt64();
        var x3 = Vector512.LoadUnsafe(ref start, 192).AsUInt64();
        var k2048 = Vector512.Create(Vector128.Create(K2048Lo, K2048Hi));
        nuint position = 256;
        for (; position < (nuint)data.Length; position += 256)
        {
            x0 = FoldLanes(x0, k2048) ^ Vector512.LoadUnsafe(ref start, position).AsUInt64();
            x1 = FoldLanes(x1, k2048) ^ Vector512.LoadUnsafe(ref start, position + 64).AsUInt64();
            x2 = FoldLanes(x2, k2048) ^ Vector512.LoadUnsafe(ref start, position + 128).AsUInt64();
            x3 = FoldLanes(x3, k2048) ^ Vector512.LoadUnsafe(ref start, position + 192).AsUInt64();
        }

        var k512 = Vector512.Create(Vector128.Create(K1, K2));
        var x = FoldLanes(x0, k512) ^ x1;
        x = FoldLanes(x, k512) ^ x2;
        x = FoldLanes(x, k512) ^ x3;

        var lane = FoldLane(x.GetLower().GetLower(), Vector128.Create(K384Lo, K384Hi))
            ^ FoldLane(x.GetLower().GetUpper(), Vector128.Create(K256Lo, K256Hi))
            ^ FoldLane(x.GetUpper().GetLower(), Vector128.Create(K3, K4))
            ^ x.GetUpper().GetUpper();
        return BitOperations.Crc32C(BitOperations.Crc32C(0u, lane.GetElement(0)), lane.GetElement(1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> FoldLanes(Vector512<ulong> x, Vector512<ulong> k) =>
        Pclmulqdq.V512.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.V512.CarrylessMultiply(x, k, 0x11);

    /// <summary>CRC of <paramref name="data"/> (a multiple of 64 bytes, at least 64) by carry-less folding.</summary>
    private static uint Fold(uint crc, ReadOnlySpan<byte> data)
    {
        ref var start = ref MemoryMarshal.GetReference(data);
        var x0 = Vector128.LoadUnsafe(ref start, 0).AsUInt64() ^ Vector128.CreateScalar((ulong)crc);
        var x1 = Vector128.LoadUnsafe(ref start, 16).AsUInt64();
        var x2 = Vector128.LoadUnsafe(ref start, 32).AsUInt64();
        var x3 = Vector128.LoadUnsafe(ref start, 48).AsUInt64();
        var k1k2 = Vector128.Create(K1, K2);
        nuint position = 64;
        for (; position < (nuint)data.Length; position += 64)
        {
            x0 = FoldLane(x0, k1k2) ^ Vector128.LoadUnsafe(ref start, position).AsUInt64();
            x1 = FoldLane(x1, k1k2) ^ Vector128.LoadUnsafe(ref start, position + 16).AsUInt64();
            x2 = FoldLane(x2, k1k2) ^ Vector128.LoadUnsafe(ref start, position + 32).AsUInt64();
            x3 = FoldLane(x3, k1k2) ^ Vector128.LoadUnsafe(ref start, position + 48).AsUInt64();
        }

        var k3k4 = Vector128.Create(K3, K4);
        var x = FoldLane(x0, k3k4) ^ x1;
        x = FoldLane(x, k3k4) ^ x2;
        x = FoldLane(x, k3k4) ^ x3;

        // The 16 folded bytes have, from a zero register, the CRC of everything folded into them.
        return BitOperations.Crc32C(BitOperations.Crc32C(0u, x.GetElement(0)), x.GetElement(1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> FoldLane(Vector128<ulong> x, Vector128<ulong> k) =>
        Pclmulqdq.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, k, 0x11);

    private static uint Sequential(uint crc, ReadOnlySpan<byte> data)
    {
        var longs = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var word in longs)
        {
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word));
        }

        foreach (var b in data[(longs.Length * sizeof(ulong))..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    /// <summary>CRC of the first <c>3 × block</c> bytes as three interleaved chains, combined.</summary>
    private static uint Interleaved(uint crc0, ReadOnlySpan<byte> data, int block, uint[] shift)
    {
        ref var a = ref Unsafe.As<byte, ulong>(ref MemoryMarshal.GetReference(data));
        ref var b = ref Unsafe.Add(ref a, block / sizeof(ulong));
        ref var c = ref Unsafe.Add(ref b, block / sizeof(ulong));
        uint crc1 = 0, crc2 = 0;
        for (var i = 0; i < block / sizeof(ulong); i++)
        {
            crc0 = BitOperations.Crc32C(crc0, Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ulong, byte>(ref Unsafe.Add(ref a, i))));
            crc1 = BitOperations.Crc32C(crc1, Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ulong, byte>(ref Unsafe.Add(ref b, i))));
            crc2 = BitOperations.Crc32C(crc2, Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ulong, byte>(ref Unsafe.Add(ref c, i))));
        }

        crc0 = Shift(shift, crc0) ^ crc1;
        return Shift(shift, crc0) ^ crc2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Shift(uint[] table, uint crc) =>
        table[crc & 0xFF] ^ table[256 + ((crc >> 8) & 0xFF)] ^ table[512 + ((crc >> 16) & 0xFF)] ^ table[768 + (crc >> 24)];

    /// <summary>Tables of the linear map "feed <paramref name="zeros"/> zero bytes", one per byte of the register.</summary>
    private static uint[] BuildShiftTable(int zeros)
    {
        var table = new uint[4 * 256];
        var padding = new byte[zeros];
        for (var k = 0; k < 4; k++)
        {
            for (var v = 0; v < 256; v++)
            {
                table[(k * 256) + v] = Sequential((uint)v << (8 * k), padding);
            }
        }

        return table;
    }
}
