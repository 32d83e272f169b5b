using System.Collections.Immutable;

namespace ActorStream.Broker.Group.Assignors;

/// <summary>
/// Kafka's <c>RoundRobinAssignor</c> ("roundrobin"): every subscribed partition, sorted by topic then partition, goes to the
/// next member in a circle of members (in <see cref="AssignorMember.Comparer"/> order), skipping members not subscribed to
/// its topic. Kafka's examples: C0, C1 on t0, t1 with 3 partitions each → C0: [t0p0, t0p2, t1p1], C1: [t0p1, t1p0, t1p2];
/// C0 on t0, C1 on t0, t1, C2 on t0, t1, t2 (1, 2, 3 partitions) → C0: [t0p0], C1: [t1p0], C2: [t1p1, t2p0, t2p1, t2p2].
/// </summary>
public sealed class RoundRobinAssignor : IPartitionAssignor
{
    public const string AssignorName = "roundrobin";

    public string Name => AssignorName;

    public RebalanceProtocol RebalanceProtocol => RebalanceProtocol.Eager;

    public ImmutableDictionary<string, ImmutableArray<GroupTopicPartition>> Assign(
        IReadOnlyCollection<AssignorMember> members,
        IReadOnlyDictionary<string, int> partitionsPerTopic)
    {
        var result = AssignmentMap.Empty(members);
        var circle = members.Order(AssignorMember.Comparer).ToList();
        var next = 0;
        foreach (var (topic, partitions) in AssignmentMap.SubscribedTopics(members, partitionsPerTopic))
        {
            for (var p = 0; p < partitions; p++)
            {
                // A subscribed topic has at least one subscriber, so this finds a member within one turn of the circle.
                while (!circle[next].Subscribes(topic))
                {
                    next = (next + 1) % circle.Count;
                }

                result[circle[next].MemberId].Add(new GroupTopicPartition(topic, p));
                next = (next + 1) % circle.Count;
            }
        }

        return AssignmentMap.ToImmutable(result);
    }
}
