using System.IO.Compression;
using ActorStream.Storage.Buffers;

namespace ActorStream.Storage.Compression;

/// <summary>gzip (RFC 1952) as <c>java.util.zip.GZIPOutputStream</c> writes it; zlib's default level, like Kafka.</summary>
public sealed class GzipCodec : CompressionCodec
{
    public static readonly GzipCodec Instance = new();

    public override CompressionType Type => CompressionType.Gzip;

    public override void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        using var gzip = new GZipStream(new BufferWriterStream(destination), CompressionLevel.Optimal, leaveOpen: false);
        gzip.Write(source);
    }

    public override void Decompress(ReadOnlyMemory<byte> source, PooledBufferWriter destination, int maxOutputBytes)
    {
        using var gzip = new GZipStream(new ReadOnlyMemoryStream(source), CompressionMode.Decompress);
        CopyCapped(gzip, destination, maxOutputBytes, "gzip");
    }
}
