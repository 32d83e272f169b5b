namespace ActorStream.Storage.Log;

/// <summary>The result of <see cref="PartitionLog.Read"/>: the byte range plus the log bounds seen by that read.</summary>
public sealed record FetchDataInfo(long FetchOffset, FileRecords Records, long LogStartOffset, long LogEndOffset)
{
    public static FetchDataInfo Empty(long fetchOffset, long logStartOffset, long logEndOffset) =>
        new(fetchOffset, FileRecords.Empty, logStartOffset, logEndOffset);
}
