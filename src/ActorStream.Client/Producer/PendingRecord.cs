using ActorStream.Storage.Records;

namespace ActorStream.Client.Producer;

/// <summary>A serialized record on its way into the accumulator.</summary>
internal sealed record PendingRecord(string Topic, byte[]? Key, byte[]? Value, int? Partition, long Timestamp, IReadOnlyList<RecordHeader>? Headers);
