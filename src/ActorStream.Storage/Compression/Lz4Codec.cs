using ActorStream.Storage.Buffers;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;

namespace ActorStream.Storage.Compression;

/// <summary>
/// LZ4 frame format (not raw blocks), as Kafka's <c>Lz4BlockOutputStream</c> writes it for magic 2: 64 KiB
/// independent blocks, no block or content checksum, a correct header checksum.
/// </summary>
public sealed class Lz4Codec : CompressionCodec
{
    public static readonly Lz4Codec Instance = new();

    private static readonly LZ4EncoderSettings KafkaFrameSettings = new()
    {
        BlockSize = 64 * 1024,
        ChainBlocks = false,
        BlockChecksum = false,
        ContentChecksum = false,
        CompressionLevel = LZ4Level.L00_FAST,
    };

    public override CompressionType Type => CompressionType.Lz4;

    public override void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        using var lz4 = LZ4Stream.Encode(new BufferWriterStream(destination), KafkaFrameSettings, leaveOpen: false);
        lz4.Write(source);
    }

    public override void Decompress(ReadOnlyMemory<byte> source, PooledBufferWriter destination, int maxOutputBytes)
    {
        using var lz4 = LZ4Stream.Decode(new ReadOnlyMemoryStream(source), leaveOpen: false);
        CopyCapped(lz4, destination, maxOutputBytes, "lz4");
    }
}
