namespace ActorStream.Storage.Compression;

/// <summary>The codec ids of attribute bits 0-2, as Kafka numbers them.</summary>
public enum CompressionType
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
