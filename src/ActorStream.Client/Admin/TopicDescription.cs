namespace ActorStream.Client.Admin;

/// <summary>A topic as the cluster describes it.</summary>
public sealed record TopicDescription(string Name, string TopicId, IReadOnlyList<TopicPartitionInfo> Partitions, IReadOnlyDictionary<string, string> Configs);
