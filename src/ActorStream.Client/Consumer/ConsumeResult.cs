using ActorStream.Storage.Records;

namespace ActorStream.Client.Consumer;

/// <summary>One consumed record.</summary>
public sealed record ConsumeResult<TKey, TValue>(
    string Topic,
    int Partition,
    long Offset,
    long Timestamp,
    TKey Key,
    TValue Value,
    IReadOnlyList<RecordHeader> Headers)
{
    public TopicPartition TopicPartition => new(Topic, Partition);
}
