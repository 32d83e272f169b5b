using System.Buffers.Binary;
using ActorStream.Storage.Buffers;
using ActorStream.Storage.Compression;
using ActorStream.Storage.Errors;
using CsCheck;

namespace ActorStream.Storage.Tests.Compression;

public class CompressionCodecSpec
{
    public static TheoryData<CompressionType> Codecs => [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    private static byte[] Compress(CompressionType type, ReadOnlySpan<byte> data)
    {
        using var output = new PooledBufferWriter();
        CompressionCodec.For(type).Compress(data, output);
        return output.ToArray();
    }

    private static byte[] Decompress(CompressionType type, byte[] data, int cap = CompressionCodec.DefaultMaxDecompressedBytes)
    {
        using var output = new PooledBufferWriter();
        CompressionCodec.For(type).Decompress(data, output, cap);
        return output.ToArray();
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Codec_must_round_trip_random_payloads(CompressionType type) =>
        Gen.Byte[0, 8].Array[0, 200_000].Sample(data => Assert.Equal(data, Decompress(type, Compress(type, data))), iter: 40);

    [Fact]
    public void Snappy_must_write_the_xerial_framing_in_32_KiB_blocks()
    {
        var data = new byte[100_000];
        var compressed = Compress(CompressionType.Snappy, data);
        Assert.Equal([0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1], compressed[..16]);
        var blocks = 0;
        for (var p = 16; p < compressed.Length; blocks++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(p));
            var block = compressed.AsSpan(p + 4, length);
            Assert.True(Snappier.Snappy.GetUncompressedLength(block) <= 32 * 1024);
            p += 4 + length;
        }

        Assert.Equal(4, blocks);
    }

    [Fact]
    public void Snappy_must_also_read_a_raw_block_without_framing_as_librdkafka_writes_it()
    {
        var data = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("raw snappy ", 500)));
        var raw = Snappier.Snappy.CompressToArray(data);
        Assert.Equal(data, Decompress(CompressionType.Snappy, raw));
    }

    [Fact]
    public void Lz4_must_write_a_frame_with_64_KiB_independent_blocks()
    {
        var compressed = Compress(CompressionType.Lz4, new byte[1000]);
        Assert.Equal(0x184D2204u, BinaryPrimitives.ReadUInt32LittleEndian(compressed));
        var flg = compressed[4];
        Assert.Equal(0b01, flg >> 6);           // version 01
        Assert.Equal(1, (flg >> 5) & 1);        // block independence
        Assert.Equal(0, (flg >> 4) & 1);        // no block checksum
        Assert.Equal(4, (compressed[5] >> 4) & 0x7); // block max size 64 KiB
    }

    [Theory]
    [InlineData(CompressionType.Gzip, new byte[] { 0x1F, 0x8B })]
    [InlineData(CompressionType.Zstd, new byte[] { 0x28, 0xB5, 0x2F, 0xFD })]
    public void Codec_must_write_its_standard_magic(CompressionType type, byte[] magic) =>
        Assert.Equal(magic, Compress(type, new byte[100])[..magic.Length]);

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decompression_must_stop_at_the_cap_instead_of_exhausting_memory(CompressionType type)
    {
        var bomb = Compress(type, new byte[4 * 1024 * 1024]);
        Assert.True(bomb.Length < 300_000, $"{type} bomb is {bomb.Length} bytes");
        var e = Assert.Throws<CorruptRecordException>(() => Decompress(type, bomb, cap: 1024 * 1024));
        Assert.Contains("limit", e.Message, StringComparison.Ordinal);
        Assert.Equal(4 * 1024 * 1024, Decompress(type, bomb, cap: 4 * 1024 * 1024).Length);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Garbage_must_fail_as_a_corrupt_message(CompressionType type)
    {
        var garbage = new byte[200];
        new Random(7).NextBytes(garbage);
        if (type == CompressionType.Snappy)
        {
            garbage[0] = 0xFF; // a raw block claiming a length snappy rejects
            garbage[1] = 0xFF;
            garbage[2] = 0xFF;
            garbage[3] = 0xFF;
            garbage[4] = 0xFF;
        }

        Assert.Throws<CorruptRecordException>(() => Decompress(type, garbage));
    }

    [Theory]
    [InlineData("gzip", CompressionType.Gzip)]
    [InlineData("SNAPPY", CompressionType.Snappy)]
    [InlineData("lz4", CompressionType.Lz4)]
    [InlineData("zstd", CompressionType.Zstd)]
    [InlineData("none", CompressionType.None)]
    public void Parse_must_accept_Kafka_compression_type_names(string name, CompressionType expected) =>
        Assert.Equal(expected, CompressionCodec.Parse(name));

    [Fact]
    public void Parse_must_reject_an_unknown_name_clearly() =>
        Assert.Contains("brotli", Assert.Throws<ArgumentException>(() => CompressionCodec.Parse("brotli")).Message, StringComparison.Ordinal);
}
