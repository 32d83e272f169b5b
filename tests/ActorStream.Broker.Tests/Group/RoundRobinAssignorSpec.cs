using ActorStream.Broker.Group;
using ActorStream.Broker.Group.Assignors;
using static ActorStream.Broker.Tests.Group.AssignorTestData;

namespace ActorStream.Broker.Tests.Group;

public sealed class RoundRobinAssignorSpec
{
    private readonly RoundRobinAssignor _assignor = new();

    [Fact]
    public void RoundRobinAssignor_must_match_Kafkas_documented_example_with_equal_subscriptions()
    {
        AssignorMember[] members = [new("C0", "t0", "t1"), new("C1", "t0", "t1")];
        var result = _assignor.Assign(members, Topics(("t0", 3), ("t1", 3)));

        Assert.Equal<GroupTopicPartition>([Tp("t0", 0), Tp("t0", 2), Tp("t1", 1)], result["C0"]);
        Assert.Equal<GroupTopicPartition>([Tp("t0", 1), Tp("t1", 0), Tp("t1", 2)], result["C1"]);
    }

    [Fact]
    public void RoundRobinAssignor_must_match_Kafkas_documented_example_with_different_subscriptions()
    {
        // Kafka's RoundRobinAssignor javadoc: t0, t1, t2 with 1, 2, 3 partitions; C0 on t0, C1 on t0, t1, C2 on t0, t1, t2.
        AssignorMember[] members = [new("C0", "t0"), new("C1", "t0", "t1"), new("C2", "t0", "t1", "t2")];
        var topics = Topics(("t0", 1), ("t1", 2), ("t2", 3));
        var result = _assignor.Assign(members, topics);

        Assert.Equal<GroupTopicPartition>([Tp("t0", 0)], result["C0"]);
        Assert.Equal<GroupTopicPartition>([Tp("t1", 0)], result["C1"]);
        Assert.Equal<GroupTopicPartition>([Tp("t1", 1), Tp("t2", 0), Tp("t2", 1), Tp("t2", 2)], result["C2"]);
        AssertCompleteAndExclusive(members, topics, result);
    }

    [Fact]
    public void RoundRobinAssignor_must_balance_equal_subscriptions_within_one_partition()
    {
        var random = new Random(42);
        for (var round = 0; round < 200; round++)
        {
            var topicNames = Enumerable.Range(0, random.Next(1, 4)).Select(i => $"t{i}").ToArray();
            var topics = topicNames.ToDictionary(t => t, _ => random.Next(1, 10));
            var members = Enumerable.Range(0, random.Next(1, 7)).Select(i => new AssignorMember($"m{i}", topicNames)).ToArray();
            var result = _assignor.Assign(members, topics);

            AssertCompleteAndExclusive(members, topics, result);
            Assert.True(result.Values.Max(a => a.Length) - result.Values.Min(a => a.Length) <= 1);
        }
    }
}
