namespace ActorStream.Broker.Group.Assignors;

/// <summary>Kafka's <c>ConsumerPartitionAssignor.RebalanceProtocol</c>.</summary>
public enum RebalanceProtocol
{
    /// <summary>Members give up every partition before rejoining; the new assignment may move anything.</summary>
    Eager,

    /// <summary>KIP-429: members keep their partitions through a rebalance; only the partitions that move are revoked, and assigned to their new owner one rebalance later.</summary>
    Cooperative,
}
