using System.Collections.Immutable;
using ActorStream.Broker.Group;
using ActorStream.Broker.Group.Assignors;

namespace ActorStream.Broker.Tests.Group;

internal static class AssignorTestData
{
    public static GroupTopicPartition Tp(string topic, int partition) => new(topic, partition);

    public static string Format(ImmutableArray<GroupTopicPartition> partitions) => string.Join(", ", partitions);

    public static Dictionary<string, int> Topics(params (string Topic, int Partitions)[] topics) =>
        topics.ToDictionary(t => t.Topic, t => t.Partitions);

    /// <summary>Every partition of every topic someone subscribes to is assigned to exactly one subscribed member.</summary>
    public static void AssertCompleteAndExclusive(
        IReadOnlyCollection<AssignorMember> members,
        IReadOnlyDictionary<string, int> topics,
        ImmutableDictionary<string, ImmutableArray<GroupTopicPartition>> result)
    {
        Assert.Equal(members.Select(m => m.MemberId).Order(), result.Keys.Order());
        var all = result.SelectMany(kv => kv.Value.Select(p => (Member: kv.Key, Partition: p))).ToList();
        Assert.Equal(all.Count, all.Select(a => a.Partition).Distinct().Count());
        foreach (var (member, partition) in all)
        {
            Assert.True(members.Single(m => m.MemberId == member).Subscribes(partition.Topic), $"{member} got {partition} without subscribing");
        }

        var expected = members.SelectMany(m => m.Topics).Distinct()
            .SelectMany(t => Enumerable.Range(0, topics.GetValueOrDefault(t)).Select(p => Tp(t, p)))
            .Order(GroupTopicPartition.Comparer);
        Assert.Equal(expected, all.Select(a => a.Partition).Order(GroupTopicPartition.Comparer));
    }
}
