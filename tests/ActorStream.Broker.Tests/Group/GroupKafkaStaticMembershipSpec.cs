using ActorStream.Broker.Group;
using ActorStream.Protocol;
using static ActorStream.Broker.Tests.Group.GroupCoordinatorContext;

namespace ActorStream.Broker.Tests.Group;

/// <summary>Kafka mode static membership (KIP-345, KIP-814): FENCED_INSTANCE_ID, skip_assignment, kept assignment bytes.</summary>
public sealed class GroupKafkaStaticMembershipSpec
{
    private static readonly GroupTopicPartition[] All = [Tp("t", 0), Tp("t", 1), Tp("t", 2), Tp("t", 3)];

    private readonly GroupCoordinatorContext _ctx = new();

    public GroupKafkaStaticMembershipSpec() => _ctx.Topic("t", 4);

    /// <summary>Static a (instance i-a, leader) and b (i-b), Stable in generation 2 with bytes "A" and "B".</summary>
    private (string A, string B) StableStaticPair()
    {
        var a = _ctx.JoinKafka("g", instanceId: "i-a", clientId: "a");
        var b = _ctx.JoinKafka("g", instanceId: "i-b", clientId: "b");
        _ctx.JoinKafka("g", memberId: a.MemberId, instanceId: "i-a", clientId: "a");
        _ctx.SyncKafka("g", a.MemberId, 2, (a.MemberId, "A", [Tp("t", 0), Tp("t", 1)]), (b.MemberId, "B", [Tp("t", 2), Tp("t", 3)]));
        Assert.Equal(GroupState.Stable, _ctx.Describe("g").State);
        return (a.MemberId, b.MemberId);
    }

    [Fact]
    public void A_static_leader_rejoining_a_Stable_group_must_skip_the_assignment_and_keep_its_bytes_without_a_rebalance()
    {
        var (a, b) = StableStaticPair();

        var again = _ctx.JoinKafka("g", instanceId: "i-a", clientId: "a", clientHost: "/127.0.0.9", protocols: [("range", "new-metadata")]);

        Assert.Equal(ErrorCode.None, again.Error);
        Assert.NotEqual(a, again.MemberId);
        Assert.True(again.SkipAssignment);
        Assert.Equal(2, again.GenerationId);
        Assert.Equal(again.MemberId, again.LeaderId);
        Assert.Equal([again.MemberId, b], again.Members.Select(m => m.MemberId).Order(StringComparer.Ordinal));
        Assert.Equal(Bytes("new-metadata"), again.Members.Single(m => m.MemberId == again.MemberId).Metadata);
        Assert.IsType<StaticMemberReplaced>(Assert.Single(_ctx.LastEvents));

        var synced = _ctx.SyncKafka("g", again.MemberId, 2);
        Assert.Equal(Bytes("A"), synced.KafkaAssignment);
        var member = _ctx.Describe("g").Members.Single(m => m.MemberId == again.MemberId);
        Assert.Equal("/127.0.0.9", member.ClientHost);
        Assert.Equal<GroupTopicPartition>([Tp("t", 0), Tp("t", 1)], member.Assignment);
    }

    [Fact]
    public void A_static_follower_rejoining_a_Stable_group_must_get_its_old_bytes_without_a_rebalance()
    {
        var (_, b) = StableStaticPair();

        var again = _ctx.JoinKafka("g", instanceId: "i-b", clientId: "b");

        Assert.False(again.SkipAssignment);
        Assert.Empty(again.Members);
        Assert.Equal(2, again.GenerationId);
        Assert.NotEqual(b, again.MemberId);
        Assert.Equal(Bytes("B"), _ctx.SyncKafka("g", again.MemberId, 2).KafkaAssignment);
        Assert.Equal(GroupState.Stable, _ctx.Describe("g").State);
    }

    [Fact]
    public void A_static_member_whose_rejoin_changes_the_selected_protocol_must_trigger_a_rebalance()
    {
        var a = _ctx.JoinKafka("g", instanceId: "i-a", protocols: [("range", "r")]);
        _ctx.SyncKafka("g", a.MemberId, 1, (a.MemberId, "A", All));

        var again = _ctx.JoinKafka("g", instanceId: "i-a", protocols: [("roundrobin", "rr")]);

        Assert.False(again.SkipAssignment);
        Assert.Equal(2, again.GenerationId);
        Assert.Equal("roundrobin", again.ProtocolName);
        Assert.Contains(_ctx.LastEvents, e => e is RebalanceStarted);
    }

    [Fact]
    public void The_replaced_member_id_must_be_fenced_everywhere_it_names_the_instance()
    {
        var (a, _) = StableStaticPair();
        var newer = _ctx.JoinKafka("g", instanceId: "i-a", clientId: "a").MemberId;

        Assert.Equal(ErrorCode.FencedInstanceId, _ctx.Heartbeat("g", a, 2, instanceId: "i-a").Error);
        Assert.Equal(ErrorCode.FencedInstanceId, _ctx.SyncKafkaAs("g", a, 2, null, null, "i-a").Error);
        Assert.Equal(ErrorCode.FencedInstanceId, _ctx.JoinKafka("g", memberId: a, instanceId: "i-a").Error);
        Assert.Equal(ErrorCode.FencedInstanceId, Assert.Single(_ctx.Run(_ctx.Shard.Handle(
            new CommitOffsets("g", a, "i-a", 2, [new OffsetCommitPartition("t", 0, 1)], _ctx.NowMs))).Partitions).Error);
        Assert.Equal(ErrorCode.FencedInstanceId, _ctx.Leave("g", a, "i-a").Error);

        // Without the instance id the old id is simply unknown; the new one is untouched by all of the above.
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.Heartbeat("g", a, 2).Error);
        Assert.Equal(ErrorCode.None, _ctx.Heartbeat("g", newer, 2, instanceId: "i-a").Error);
        Assert.Equal(2, _ctx.Describe("g").Members.Length);
    }

    [Fact]
    public void A_native_group_must_keep_answering_UNKNOWN_MEMBER_ID_to_a_replaced_static_member()
    {
        var a = _ctx.Join("n", ["t"], instanceId: "i-a");
        _ctx.Join("n", ["t"], instanceId: "i-a");

        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.Heartbeat("n", a.MemberId, 1, instanceId: "i-a").Error);
    }
}
