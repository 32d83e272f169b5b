using ActorStream.Storage.Buffers;
using ActorStream.Storage.Errors;

namespace ActorStream.Storage.Compression;

/// <summary>
/// Compresses and decompresses the records section of a batch with the framing Kafka's Java client and librdkafka
/// write and read. Every decompression is capped: output beyond <c>maxOutputBytes</c> raises
/// <see cref="CorruptRecordException"/> instead of exhausting memory.
/// </summary>
public abstract class CompressionCodec
{
    /// <summary>Default cap on one batch's decompressed records section.</summary>
    public const int DefaultMaxDecompressedBytes = 64 * 1024 * 1024;

    public abstract CompressionType Type { get; }

    public abstract void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination);

    /// <summary>Appends the decompressed bytes of <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public abstract void Decompress(ReadOnlyMemory<byte> source, PooledBufferWriter destination, int maxOutputBytes);

    public static CompressionCodec For(CompressionType type) => type switch
    {
        CompressionType.Gzip => GzipCodec.Instance,
        CompressionType.Snappy => SnappyCodec.Instance,
        CompressionType.Lz4 => Lz4Codec.Instance,
        CompressionType.Zstd => ZstdCodec.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "No codec for this compression type"),
    };

    public static CompressionType Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "none" or "uncompressed" => CompressionType.None,
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        "lz4" => CompressionType.Lz4,
        "zstd" => CompressionType.Zstd,
        _ => throw new ArgumentException($"Unknown compression.type '{name}'; expected none, gzip, snappy, lz4 or zstd", nameof(name)),
    };

    /// <summary>Copies a decompressing stream into <paramref name="destination"/>, failing past the cap.</summary>
    protected static void CopyCapped(Stream decompressing, PooledBufferWriter destination, int maxOutputBytes, string codec)
    {
        var total = 0;
        try
        {
            while (true)
            {
                var span = destination.GetSpan(16 * 1024);
                var room = Math.Min(span.Length, maxOutputBytes - total + 1);
                var read = decompressing.Read(span[..room]);
                if (read == 0)
                {
                    return;
                }

                total += read;
                if (total > maxOutputBytes)
                {
                    throw new CorruptRecordException(
                        $"{codec} payload decompresses to more than the {maxOutputBytes}-byte limit");
                }

                destination.Advance(read);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException or ArgumentException or ZstdSharp.ZstdException)
        {
            throw new CorruptRecordException($"{codec} payload cannot be decompressed: {e.Message}", e);
        }
    }
}
