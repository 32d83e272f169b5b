using ActorStream.Storage.Compression;
using ActorStream.Storage.Records;

namespace ActorStream.Kafka.Apis;

/// <summary>What the gateway reads of record batches: batch headers only, never the records.</summary>
internal static class KafkaRecords
{
    /// <summary>Whether any whole batch header in <paramref name="batches"/> says zstd.</summary>
    public static bool AnyZstd(ReadOnlySpan<byte> batches)
    {
        var position = 0;
        while (batches.Length - position >= RecordBatch.HeaderSize)
        {
            var header = RecordBatchHeader.Read(batches[position..]);
            if (header.Compression == CompressionType.Zstd)
            {
                return true;
            }

            if (header.SizeInBytes < RecordBatch.HeaderSize)
            {
                return false; // malformed: the log's validation answers CORRUPT_MESSAGE
            }

            position += header.SizeInBytes;
        }

        return false;
    }

    /// <summary>Whether the first batch of <paramref name="batches"/> is zstd-compressed (header attributes only).</summary>
    public static bool FirstIsZstd(ReadOnlySpan<byte> batches) =>
        batches.Length >= RecordBatch.HeaderSize && RecordBatchHeader.Read(batches).Compression == CompressionType.Zstd;
}
