using ActorStream.Storage.Buffers;
using ZstdSharp;

namespace ActorStream.Storage.Compression;

/// <summary>Zstandard frames (RFC 8878) at level 3, Kafka's default <c>compression.zstd.level</c>.</summary>
public sealed class ZstdCodec : CompressionCodec
{
    public static readonly ZstdCodec Instance = new();

    private const int Level = 3;

    [ThreadStatic]
    private static Compressor? t_compressor;

    public override CompressionType Type => CompressionType.Zstd;

    public override void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        var compressor = t_compressor ??= new Compressor(Level);
        var span = destination.GetSpan(Compressor.GetCompressBound(source.Length));
        destination.Advance(compressor.Wrap(source, span));
    }

    public override void Decompress(ReadOnlyMemory<byte> source, PooledBufferWriter destination, int maxOutputBytes)
    {
        using var zstd = new DecompressionStream(new ReadOnlyMemoryStream(source), leaveOpen: false);
        CopyCapped(zstd, destination, maxOutputBytes, "zstd");
    }
}
