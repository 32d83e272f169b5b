namespace ActorStream.Client.Streams;

/// <summary>
/// What a commit stores for one partition of a group: <paramref name="Offset"/> is the offset of the next record to
/// read (the consumed record's offset + 1, Kafka semantics).
/// </summary>
public sealed record PartitionOffset(string GroupId, TopicPartition TopicPartition, long Offset);
