using System.Collections.Immutable;

namespace ActorStream.Broker.Group.Assignors;

/// <summary>
/// Kafka's <c>CooperativeStickyAssignor</c> ("cooperative-sticky"): balanced, and sticky to what members own.
/// <list type="number">
/// <item>Every member keeps each partition it owns that still exists and whose topic it still subscribes to (a partition
/// claimed by two members stays with the first in <see cref="AssignorMember.Comparer"/> order).</item>
/// <item>Unowned partitions (sorted) go one by one to the least loaded subscribed member.</item>
/// <item>While some member holds a partition that a subscribed member with at least two fewer partitions could take, the
/// most loaded member gives its highest such partition to the least loaded one.</item>
/// </list>
/// Each move strictly lowers the sum of squared loads, so this ends. When all members subscribe to the same topics the
/// result gives every member ⌊total/members⌋ or ⌈total/members⌉ partitions, a member never both loses and gains
/// partitions, and only partitions over a member's quota move. With different subscriptions the result is locally
/// balanced: no single partition move would make two members' loads closer.
/// This assignor only computes the target; <see cref="GroupCoordinatorShard"/> withholds a moving partition from its new
/// owner until the old owner has revoked it (KIP-429).
/// </summary>
public sealed class CooperativeStickyAssignor : IPartitionAssignor
{
    public const string AssignorName = "cooperative-sticky";

    public string Name => AssignorName;

    public RebalanceProtocol RebalanceProtocol => RebalanceProtocol.Cooperative;

    public ImmutableDictionary<string, ImmutableArray<GroupTopicPartition>> Assign(
        IReadOnlyCollection<AssignorMember> members,
        IReadOnlyDictionary<string, int> partitionsPerTopic)
    {
        var ordered = members.Order(AssignorMember.Comparer).ToList();
        var rank = ordered.Select((m, i) => (m.MemberId, i)).ToDictionary(x => x.MemberId, x => x.i, StringComparer.Ordinal);
        var assignment = ordered.ToDictionary(
            m => m.MemberId, _ => new SortedSet<GroupTopicPartition>(GroupTopicPartition.Comparer), StringComparer.Ordinal);
        var assigned = new HashSet<GroupTopicPartition>();

        foreach (var member in ordered)
        {
            foreach (var partition in member.OwnedPartitions.Order(GroupTopicPartition.Comparer))
            {
                if (member.Subscribes(partition.Topic) && Exists(partition, partitionsPerTopic) && assigned.Add(partition))
                {
                    assignment[member.MemberId].Add(partition);
                }
            }
        }

        foreach (var (topic, partitions) in AssignmentMap.SubscribedTopics(ordered, partitionsPerTopic))
        {
            var eligible = ordered.Where(m => m.Subscribes(topic)).ToList();
            for (var p = 0; p < partitions; p++)
            {
                var partition = new GroupTopicPartition(topic, p);
                if (assigned.Add(partition))
                {
                    var target = eligible.MinBy(m => (assignment[m.MemberId].Count, rank[m.MemberId]))!;
                    assignment[target.MemberId].Add(partition);
                }
            }
        }

        Balance(ordered, assignment, rank);
        return assignment.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.ToImmutableArray(), StringComparer.Ordinal);
    }

    private static bool Exists(GroupTopicPartition partition, IReadOnlyDictionary<string, int> partitionsPerTopic) =>
        partition.Partition >= 0 && partitionsPerTopic.TryGetValue(partition.Topic, out var count) && partition.Partition < count;

    private static void Balance(
        List<AssignorMember> ordered,
        Dictionary<string, SortedSet<GroupTopicPartition>> assignment,
        Dictionary<string, int> rank)
    {
        bool moved;
        do
        {
            moved = false;
            var byLoadDescending = ordered.OrderByDescending(m => assignment[m.MemberId].Count).ThenBy(m => rank[m.MemberId]).ToList();
            var byLoadAscending = ordered.OrderBy(m => assignment[m.MemberId].Count).ThenBy(m => rank[m.MemberId]).ToList();
            foreach (var source in byLoadDescending)
            {
                var from = assignment[source.MemberId];
                foreach (var target in byLoadAscending)
                {
                    var to = assignment[target.MemberId];
                    if (from.Count - to.Count < 2)
                    {
                        break;
                    }

                    foreach (var partition in from.Reverse())
                    {
                        if (target.Subscribes(partition.Topic))
                        {
                            from.Remove(partition);
                            to.Add(partition);
                            moved = true;
                            break;
                        }
                    }

                    if (moved)
                    {
                        break;
                    }
                }

                if (moved)
                {
                    break;
                }
            }
        }
        while (moved);
    }
}
