namespace ActorStream.Client.Admin;

/// <summary>One partition of a described topic; node ids, -1 leader when there is none.</summary>
public sealed record TopicPartitionInfo(int Partition, int Leader, int LeaderEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr);
