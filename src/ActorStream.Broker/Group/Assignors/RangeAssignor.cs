using System.Collections.Immutable;

namespace ActorStream.Broker.Group.Assignors;

/// <summary>
/// Kafka's <c>RangeAssignor</c> ("range"): topic by topic, the members subscribed to the topic (in
/// <see cref="AssignorMember.Comparer"/> order) get contiguous ranges of its partitions; when the count does not divide
/// evenly the first members get one extra. Kafka's example: C0, C1 subscribed to t0, t1 with 3 partitions each →
/// C0: [t0p0, t0p1, t1p0, t1p1], C1: [t0p2, t1p2].
/// </summary>
public sealed class RangeAssignor : IPartitionAssignor
{
    public const string AssignorName = "range";

    public string Name => AssignorName;

    public RebalanceProtocol RebalanceProtocol => RebalanceProtocol.Eager;

    public ImmutableDictionary<string, ImmutableArray<GroupTopicPartition>> Assign(
        IReadOnlyCollection<AssignorMember> members,
        IReadOnlyDictionary<string, int> partitionsPerTopic)
    {
        var result = AssignmentMap.Empty(members);
        foreach (var (topic, partitions) in AssignmentMap.SubscribedTopics(members, partitionsPerTopic))
        {
            var consumers = members.Where(m => m.Subscribes(topic)).Order(AssignorMember.Comparer).ToList();
            var perConsumer = partitions / consumers.Count;
            var withExtra = partitions % consumers.Count;
            for (var i = 0; i < consumers.Count; i++)
            {
                var start = (perConsumer * i) + Math.Min(i, withExtra);
                var length = perConsumer + (i < withExtra ? 1 : 0);
                var owned = result[consumers[i].MemberId];
                for (var p = start; p < start + length; p++)
                {
                    owned.Add(new GroupTopicPartition(topic, p));
                }
            }
        }

        return AssignmentMap.ToImmutable(result);
    }
}
