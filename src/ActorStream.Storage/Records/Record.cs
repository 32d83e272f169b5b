namespace ActorStream.Storage.Records;

/// <summary>
/// One record of a batch as a consumer sees it. <see cref="Key"/> and <see cref="Value"/> are slices of the batch
/// buffer (or of its decompressed payload); null means the producer sent null, not an empty array.
/// </summary>
public sealed record Record(
    long Offset,
    long Timestamp,
    TimestampType TimestampType,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    IReadOnlyList<RecordHeader> Headers);
