using ActorStream.Broker.Group;
using ActorStream.Protocol;
using Google.Protobuf;
using static ActorStream.Broker.Tests.Group.GroupCoordinatorContext;
using P = ActorStream.Protocol.Group;

namespace ActorStream.Broker.Tests.Group;

public sealed class GroupRegexSubscriptionSpec
{
    private const string Orders = "orders-.*";

    private readonly GroupCoordinatorContext _ctx = new();

    public GroupRegexSubscriptionSpec()
    {
        _ctx.Topic("orders-eu", 2);
        _ctx.Topic("orders-us", 3);
        _ctx.Topic("payments", 2);
    }

    [Fact]
    public void A_pattern_member_must_get_every_partition_of_every_matching_topic_and_none_of_the_others()
    {
        var join = _ctx.Join("g", [], topicPattern: Orders);

        Assert.Equal(ErrorCode.None, join.Error);
        Assert.Equal(1, join.GenerationId);
        Assert.Equal<GroupTopicPartition>(
            [Tp("orders-eu", 0), Tp("orders-eu", 1), Tp("orders-us", 0), Tp("orders-us", 1), Tp("orders-us", 2)],
            join.Assignment);
        var member = Assert.Single(_ctx.Describe("g").Members);
        Assert.Equal(Orders, member.TopicPattern);
        Assert.Empty(member.Topics);
    }

    [Fact]
    public void A_pattern_must_match_the_whole_topic_name()
    {
        _ctx.Topic("orders", 1);
        _ctx.Topic("pre-orders", 1);

        var join = _ctx.Join("g", [], topicPattern: "orders");

        Assert.Equal<GroupTopicPartition>([Tp("orders", 0)], join.Assignment);
    }

    [Fact]
    public void A_member_with_topics_and_a_pattern_must_be_subscribed_to_both()
    {
        var join = _ctx.Join("g", ["payments"], topicPattern: "orders-eu");

        Assert.Equal<GroupTopicPartition>([Tp("orders-eu", 0), Tp("orders-eu", 1), Tp("payments", 0), Tp("payments", 1)], join.Assignment);
    }

    [Fact]
    public void Creating_a_matching_topic_must_rebalance_the_group_and_assign_the_new_partitions()
    {
        var a = _ctx.Join("g", [], topicPattern: Orders);

        var created = _ctx.Topic("orders-asia", 2);

        Assert.Equal<string>(["g"], created.RebalancingGroups);
        Assert.Equal(GroupState.PreparingRebalance, _ctx.Describe("g").State);
        var rejoin = _ctx.Join("g", [], memberId: a.MemberId, topicPattern: Orders);
        Assert.Equal(2, rejoin.GenerationId);
        Assert.Contains(Tp("orders-asia", 0), rejoin.Assignment);
        Assert.Contains(Tp("orders-asia", 1), rejoin.Assignment);
        Assert.Equal(7, rejoin.Assignment.Length);
    }

    [Fact]
    public void Creating_a_topic_that_does_not_match_must_not_rebalance()
    {
        _ctx.Join("g", [], topicPattern: Orders);

        var created = _ctx.Topic("invoices", 4);

        Assert.Empty(created.RebalancingGroups);
        Assert.Empty(_ctx.LastEvents);
        var group = _ctx.Describe("g");
        Assert.Equal(GroupState.Stable, group.State);
        Assert.Equal(1, group.GenerationId);
    }

    [Fact]
    public void Deleting_a_matching_topic_must_rebalance_and_take_its_partitions_away()
    {
        var a = _ctx.Join("g", [], topicPattern: Orders);

        var deleted = _ctx.Topic("orders-us", 0);

        Assert.Equal<string>(["g"], deleted.RebalancingGroups);
        var rejoin = _ctx.Join("g", [], memberId: a.MemberId, topicPattern: Orders);
        Assert.Equal<GroupTopicPartition>([Tp("orders-eu", 0), Tp("orders-eu", 1)], rejoin.Assignment);
    }

    [Fact]
    public void In_a_mixed_group_the_member_by_names_and_the_member_by_pattern_must_each_get_only_their_topics()
    {
        var byName = _ctx.Join("g", ["payments"]);
        var byPattern = _ctx.Join("g", [], topicPattern: Orders);
        var rejoin = _ctx.Join("g", ["payments"], memberId: byName.MemberId);

        Assert.Equal(2, rejoin.GenerationId);
        Assert.Equal<GroupTopicPartition>([Tp("payments", 0), Tp("payments", 1)], rejoin.Assignment);
        Assert.Equal<GroupTopicPartition>(
            [Tp("orders-eu", 0), Tp("orders-eu", 1), Tp("orders-us", 0), Tp("orders-us", 1), Tp("orders-us", 2)],
            _ctx.Shard.JoinResponseFor("g", byPattern.MemberId).Assignment);

        // A new matching topic concerns only the pattern member, but the whole group rebalances.
        Assert.Equal<string>(["g"], _ctx.Topic("orders-asia", 1).RebalancingGroups);
    }

    [Fact]
    public void Changing_the_pattern_must_be_a_changed_subscription()
    {
        var a = _ctx.Join("g", [], topicPattern: Orders);
        var same = _ctx.Join("g", [], memberId: a.MemberId, topicPattern: Orders);
        Assert.Empty(_ctx.LastEvents);
        Assert.Equal(1, same.GenerationId);

        var changed = _ctx.Join("g", [], memberId: a.MemberId, topicPattern: "orders-eu|payments");

        Assert.Equal(2, changed.GenerationId);
        Assert.Equal<GroupTopicPartition>([Tp("orders-eu", 0), Tp("orders-eu", 1), Tp("payments", 0), Tp("payments", 1)], changed.Assignment);
        Assert.Equal("orders-eu|payments", Assert.Single(_ctx.Describe("g").Members).TopicPattern);
    }

    [Theory]
    [InlineData("orders-(")]
    [InlineData("[a-")]
    [InlineData("a)|(b")]
    [InlineData("*")]
    [InlineData(@"(o)\1")] // a backreference: not supported by the non-backtracking engine
    public void An_invalid_pattern_must_fail_the_join_with_INVALID_REGULAR_EXPRESSION(string pattern)
    {
        Assert.Equal(ErrorCode.InvalidRegularExpression, _ctx.Join("g", [], topicPattern: pattern).Error);
        Assert.Empty(_ctx.Journal);

        var a = _ctx.Join("g", [], topicPattern: Orders);
        Assert.Equal(ErrorCode.InvalidRegularExpression, _ctx.Join("g", [], memberId: a.MemberId, topicPattern: pattern).Error);
        Assert.Empty(_ctx.LastEvents);
        Assert.Equal(Orders, Assert.Single(_ctx.Describe("g").Members).TopicPattern);
    }

    [Fact]
    public void Classic_mode_must_ignore_the_pattern()
    {
        var join = _ctx.Join("g", ["payments"], mode: GroupProtocolMode.Classic, topicPattern: "[not a regex");

        Assert.Equal(ErrorCode.None, join.Error);
        var member = Assert.Single(_ctx.Describe("g").Members);
        Assert.Null(member.TopicPattern);
        Assert.Equal<string>(["payments"], member.Topics);
    }

    [Fact]
    public void An_empty_pattern_must_mean_no_pattern()
    {
        var join = _ctx.Join("g", ["payments"], topicPattern: "");

        Assert.Equal(ErrorCode.None, join.Error);
        Assert.Equal<GroupTopicPartition>([Tp("payments", 0), Tp("payments", 1)], join.Assignment);
        Assert.Null(Assert.Single(_ctx.Describe("g").Members).TopicPattern);
    }

    [Fact]
    public void The_pattern_must_reach_admins_in_the_describe_reply()
    {
        _ctx.Join("g", ["payments"], topicPattern: Orders);

        var member = Assert.Single(_ctx.TryDescribe("g").ToProto("g").Members);

        Assert.True(member.HasTopicPattern);
        Assert.Equal(Orders, member.TopicPattern);
        Assert.Equal(["payments"], member.Topics);
    }

    [Fact]
    public void A_join_request_must_carry_the_pattern_into_the_command()
    {
        var request = new P.JoinGroupRequest { GroupId = "g", ClientId = "c", Topics = { "payments" }, Assignors = { "range" }, TopicPattern = Orders };

        Assert.Equal(Orders, request.ToCommand(0).TopicPattern);
        Assert.Null(new P.JoinGroupRequest { GroupId = "g" }.ToCommand(0).TopicPattern);
    }

    [Fact]
    public void The_pattern_must_survive_a_snapshot_and_keep_working_after_it()
    {
        _ctx.Join("g", [], topicPattern: Orders);
        _ctx.Join("h", ["payments"]);

        var bytes = GroupMessageMapping.ToSnapshot(_ctx.Shard.Groups.Values).ToByteArray();
        var recovered = new GroupCoordinatorShard(_ctx.Shard.Config);
        recovered.Restore(GroupMessageMapping.FromSnapshot(P.GroupCoordinatorSnapshot.Parser.ParseFrom(bytes)));
        recovered.SeedTopicPartitionsFromAssignments();

        foreach (var group in new[] { "g", "h" })
        {
            Assert.Equal(Canonical(_ctx.Describe(group)), Canonical(GroupCoordinatorShard.Describe(recovered.Find(group)!)));
        }

        Assert.Equal<string>(["g"], recovered.Handle(new TopicMetadataChanged("orders-asia", 1, _ctx.NowMs)).Response.RebalancingGroups);
    }

    [Fact]
    public void The_pattern_must_survive_journal_replay_through_protobuf()
    {
        var a = _ctx.Join("g", [], topicPattern: Orders);
        _ctx.Join("g", [], memberId: a.MemberId, topicPattern: "orders-eu");

        var recovered = new GroupCoordinatorShard(_ctx.Shard.Config);
        foreach (var e in _ctx.Journal)
        {
            var proto = e.ToProto();
            var parsed = proto.Descriptor.Parser.ParseFrom(proto.ToByteArray());
            recovered.Apply(GroupMessageMapping.ToEvent(parsed)!);
        }

        Assert.Equal(Canonical(_ctx.Describe("g")), Canonical(GroupCoordinatorShard.Describe(recovered.Find("g")!)));
        Assert.Equal("orders-eu", Assert.Single(recovered.Find("g")!.Members.Values).TopicPattern);
    }
}
