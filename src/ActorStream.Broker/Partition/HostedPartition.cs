namespace ActorStream.Broker.Partition;

/// <summary>
/// A partition's shard as the shard coordinator has placed it, with the controller's view of its replicas.
/// <paramref name="HostNode"/> is <c>null</c> when the hosting region's node is not among the registered brokers.
/// </summary>
public sealed record HostedPartition(string ShardId, int? HostNode, IReadOnlyList<int> Replicas, IReadOnlyCollection<int> Isr);
