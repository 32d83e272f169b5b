using ActorStream.Broker.Group;
using ActorStream.Broker.Group.Assignors;
using static ActorStream.Broker.Tests.Group.AssignorTestData;

namespace ActorStream.Broker.Tests.Group;

public sealed class RangeAssignorSpec
{
    private readonly RangeAssignor _assignor = new();

    [Fact]
    public void RangeAssignor_must_match_Kafkas_documented_example()
    {
        // Kafka's RangeAssignor javadoc: C0, C1 subscribed to t0, t1, each with 3 partitions.
        AssignorMember[] members = [new("C0", "t0", "t1"), new("C1", "t0", "t1")];
        var result = _assignor.Assign(members, Topics(("t0", 3), ("t1", 3)));

        Assert.Equal<GroupTopicPartition>([Tp("t0", 0), Tp("t0", 1), Tp("t1", 0), Tp("t1", 1)], result["C0"]);
        Assert.Equal<GroupTopicPartition>([Tp("t0", 2), Tp("t1", 2)], result["C1"]);
    }

    [Fact]
    public void RangeAssignor_must_give_the_first_members_one_extra_partition()
    {
        AssignorMember[] members = [new("c", "t"), new("a", "t"), new("b", "t")];
        var result = _assignor.Assign(members, Topics(("t", 7)));

        Assert.Equal<GroupTopicPartition>([Tp("t", 0), Tp("t", 1), Tp("t", 2)], result["a"]);
        Assert.Equal<GroupTopicPartition>([Tp("t", 3), Tp("t", 4)], result["b"]);
        Assert.Equal<GroupTopicPartition>([Tp("t", 5), Tp("t", 6)], result["c"]);
    }

    [Fact]
    public void RangeAssignor_must_divide_each_topic_among_its_own_subscribers_only()
    {
        AssignorMember[] members = [new("a", "t0", "t1"), new("b", "t1"), new("c")];
        var topics = Topics(("t0", 2), ("t1", 4));
        var result = _assignor.Assign(members, topics);

        Assert.Equal<GroupTopicPartition>([Tp("t0", 0), Tp("t0", 1), Tp("t1", 0), Tp("t1", 1)], result["a"]);
        Assert.Equal<GroupTopicPartition>([Tp("t1", 2), Tp("t1", 3)], result["b"]);
        Assert.Empty(result["c"]);
        AssertCompleteAndExclusive(members, topics, result);
    }

    [Fact]
    public void RangeAssignor_must_leave_extra_members_empty_and_skip_unknown_topics()
    {
        AssignorMember[] members = [new("a", "t", "missing"), new("b", "t"), new("c", "t")];
        var result = _assignor.Assign(members, Topics(("t", 2)));

        Assert.Equal<GroupTopicPartition>([Tp("t", 0)], result["a"]);
        Assert.Equal<GroupTopicPartition>([Tp("t", 1)], result["b"]);
        Assert.Empty(result["c"]);
    }

    [Fact]
    public void RangeAssignor_must_order_static_members_by_instance_id_before_dynamic_ones()
    {
        AssignorMember[] members =
        [
            new("a-dynamic", null, ["t"], []),
            new("z-member", "instance-1", ["t"], []),
            new("y-member", "instance-2", ["t"], []),
        ];
        var result = _assignor.Assign(members, Topics(("t", 3)));

        Assert.Equal<GroupTopicPartition>([Tp("t", 0)], result["z-member"]);
        Assert.Equal<GroupTopicPartition>([Tp("t", 1)], result["y-member"]);
        Assert.Equal<GroupTopicPartition>([Tp("t", 2)], result["a-dynamic"]);
    }

    [Fact]
    public void RangeAssignor_must_return_nothing_for_no_members() =>
        Assert.Empty(_assignor.Assign([], Topics(("t", 3))));
}
