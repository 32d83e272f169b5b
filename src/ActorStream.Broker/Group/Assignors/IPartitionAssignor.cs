using System.Collections.Immutable;

namespace ActorStream.Broker.Group.Assignors;

/// <summary>
/// A server-side partition assignor (Kafka's <c>ConsumerPartitionAssignor</c> / KIP-848 <c>ConsumerGroupPartitionAssignor</c>).
/// Implementations are pure, deterministic and thread-safe: the same input gives the same output.
/// </summary>
public interface IPartitionAssignor
{
    /// <summary>The protocol name members list in <c>partition.assignment.strategy</c>.</summary>
    string Name { get; }

    RebalanceProtocol RebalanceProtocol { get; }

    /// <summary>
    /// Assigns every partition of every subscribed topic known in <paramref name="partitionsPerTopic"/> to exactly one member
    /// subscribed to its topic. The result has an entry (possibly empty) for every member; partitions are in
    /// <see cref="GroupTopicPartition.Comparer"/> order. Topics missing from <paramref name="partitionsPerTopic"/> are skipped.
    /// </summary>
    ImmutableDictionary<string, ImmutableArray<GroupTopicPartition>> Assign(
        IReadOnlyCollection<AssignorMember> members,
        IReadOnlyDictionary<string, int> partitionsPerTopic);
}
