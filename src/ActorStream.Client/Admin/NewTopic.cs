namespace ActorStream.Client.Admin;

/// <summary>A topic to create; -1 partitions or replication factor means the broker's default.</summary>
public sealed record NewTopic(string Name, int NumPartitions = -1, short ReplicationFactor = -1)
{
    public IReadOnlyDictionary<string, string>? Configs { get; init; }
}
