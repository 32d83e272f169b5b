using ActorStream.Broker.Group;
using ActorStream.Protocol;
using static ActorStream.Broker.Tests.Group.GroupCoordinatorContext;

namespace ActorStream.Broker.Tests.Group;

public sealed class GroupMembershipSpec
{
    private readonly GroupCoordinatorContext _ctx = new();

    public GroupMembershipSpec() => _ctx.Topic("t", 4);

    [Fact]
    public void A_first_member_must_get_every_partition_in_generation_1()
    {
        var join = _ctx.Join("g", ["t"]);

        Assert.Equal(ErrorCode.None, join.Error);
        Assert.False(join.Pending);
        Assert.Equal(1, join.GenerationId);
        Assert.Equal("range", join.ProtocolName);
        Assert.Equal(join.MemberId, join.LeaderId);
        Assert.Equal<GroupTopicPartition>([Tp("t", 0), Tp("t", 1), Tp("t", 2), Tp("t", 3)], join.Assignment);
        Assert.Equal(GroupState.Stable, _ctx.Describe("g").State);
        Assert.Equal(ErrorCode.None, _ctx.Heartbeat("g", join.MemberId, 1).Error);
    }

    [Fact]
    public void A_second_member_must_trigger_a_rebalance_that_completes_when_the_first_rejoins()
    {
        var a = _ctx.Join("g", ["t"]);
        var b = _ctx.Join("g", ["t"]);
        Assert.True(b.Pending);
        Assert.Equal(GroupState.PreparingRebalance, _ctx.Describe("g").State);
        Assert.Equal(ErrorCode.RebalanceInProgress, _ctx.Heartbeat("g", a.MemberId, 1).Error);

        var rejoin = _ctx.Join("g", ["t"], memberId: a.MemberId);
        Assert.Equal(2, rejoin.GenerationId);
        Assert.Contains(_ctx.LastEvents, e => e is GenerationCompleted { GenerationId: 2 });

        var parked = _ctx.Shard.JoinResponseFor("g", b.MemberId);
        Assert.False(parked.Pending);
        Assert.Equal(2, parked.GenerationId);
        Assert.Equal(4, rejoin.Assignment.Length + parked.Assignment.Length);
        Assert.Empty(rejoin.Assignment.Intersect(parked.Assignment));
    }

    [Fact]
    public void Heartbeats_must_reject_unknown_members_and_stale_generations()
    {
        var a = _ctx.Join("g", ["t"]);

        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.Heartbeat("g", "nobody", 1).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.Heartbeat("other", a.MemberId, 1).Error);
        Assert.Equal(ErrorCode.IllegalGeneration, _ctx.Heartbeat("g", a.MemberId, 0).Error);
        Assert.Equal(ErrorCode.InvalidGroupId, _ctx.Heartbeat("", a.MemberId, 1).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.Heartbeat("g", a.MemberId, 1, instanceId: "not-mine").Error);
    }

    [Fact]
    public void Joins_must_be_validated()
    {
        Assert.Equal(ErrorCode.InvalidGroupId, _ctx.Join("", ["t"]).Error);
        Assert.Equal(ErrorCode.InvalidSessionTimeout, _ctx.Join("g", ["t"], sessionTimeoutMs: 10).Error);
        Assert.Equal(ErrorCode.InvalidSessionTimeout, _ctx.Join("g", ["t"], sessionTimeoutMs: 3_600_000).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, _ctx.Join("g", ["t"], assignor: "no-such-assignor").Error);
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.Join("g", ["t"], memberId: "made-up").Error);
        Assert.Empty(_ctx.Journal);
    }

    [Fact]
    public void A_member_without_a_common_protocol_or_with_another_mode_must_get_INCONSISTENT_GROUP_PROTOCOL()
    {
        var a = _ctx.Join("g", ["t"], protocols: ["range", "roundrobin"]);

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, _ctx.Join("g", ["t"], protocols: ["cooperative-sticky"]).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, _ctx.Join("g", ["t"], mode: GroupProtocolMode.Classic).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, _ctx.Join("g", ["t"], memberId: a.MemberId, protocols: ["sticky"]).Error);
        Assert.Single(_ctx.Describe("g").Members);

        // A member that supports one of the group's protocols joins; the vote picks the one every member prefers.
        var b = _ctx.Join("g", ["t"], protocols: ["roundrobin", "range"]);
        _ctx.Join("g", ["t"], memberId: a.MemberId, protocols: ["roundrobin", "range"]);
        Assert.Equal("roundrobin", _ctx.Shard.JoinResponseFor("g", b.MemberId).ProtocolName);
    }

    [Fact]
    public void A_known_member_rejoining_a_stable_group_unchanged_must_get_its_assignment_without_a_rebalance()
    {
        var a = _ctx.Join("g", ["t"]);
        var again = _ctx.Join("g", ["t"], memberId: a.MemberId);

        Assert.Equal(1, again.GenerationId);
        Assert.Equal<GroupTopicPartition>(a.Assignment, again.Assignment);
        Assert.Empty(_ctx.LastEvents);
    }

    [Fact]
    public void A_member_changing_its_subscription_must_trigger_a_rebalance()
    {
        _ctx.Topic("u", 2);
        var a = _ctx.Join("g", ["t"]);
        var changed = _ctx.Join("g", ["t", "u"], memberId: a.MemberId);

        Assert.Equal(2, changed.GenerationId);
        Assert.Equal(6, changed.Assignment.Length);
    }

    [Fact]
    public void Leaving_must_rebalance_and_the_last_leave_must_make_the_group_Empty_with_a_new_generation()
    {
        var a = _ctx.Join("g", ["t"]);
        var b = _ctx.Join("g", ["t"]);
        _ctx.Join("g", ["t"], memberId: a.MemberId);

        Assert.Equal(ErrorCode.None, _ctx.Leave("g", b.MemberId).Error);
        Assert.Equal(ErrorCode.RebalanceInProgress, _ctx.Heartbeat("g", a.MemberId, 2).Error);
        var alone = _ctx.Join("g", ["t"], memberId: a.MemberId);
        Assert.Equal(3, alone.GenerationId);
        Assert.Equal(4, alone.Assignment.Length);

        Assert.Equal(ErrorCode.None, _ctx.Leave("g", a.MemberId).Error);
        var empty = _ctx.Describe("g");
        Assert.Equal(GroupState.Empty, empty.State);
        Assert.Equal(4, empty.GenerationId);
        Assert.Empty(empty.Members);
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.Leave("g", a.MemberId).Error);
    }

    [Fact]
    public void A_member_must_expire_only_after_its_session_timeout_without_heartbeats()
    {
        var a = _ctx.Join("g", ["t"]);
        _ctx.Advance(SessionTimeoutMs - 1);
        var early = _ctx.Expire("g", a.MemberId);
        Assert.False(early.Expired);
        Assert.Equal(_ctx.NowMs + 1, early.DeadlineMs);

        _ctx.Heartbeat("g", a.MemberId, 1);
        _ctx.Advance(SessionTimeoutMs - 1);
        Assert.False(_ctx.Expire("g", a.MemberId).Expired);

        _ctx.Advance(1);
        Assert.True(_ctx.Expire("g", a.MemberId).Expired);
        Assert.Contains(_ctx.LastEvents, e => e is MemberLeft { Reason: MemberLeaveReason.SessionExpired });
        Assert.Equal(GroupState.Empty, _ctx.Describe("g").State);
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.Expire("g", a.MemberId).Error);
    }

    [Fact]
    public void A_member_parked_in_JoinGroup_must_not_expire_but_a_member_that_never_rejoins_must_time_out()
    {
        var a = _ctx.Join("g", ["t"]);
        var b = _ctx.Join("g", ["t"]);
        _ctx.Advance(SessionTimeoutMs * 2);
        Assert.Equal(new[] { a.MemberId }, _ctx.ExpireDueMembers("g"));

        // a's expiry completed the round: b, parked, is now alone in generation 2.
        var parked = _ctx.Shard.JoinResponseFor("g", b.MemberId);
        Assert.Equal(2, parked.GenerationId);
        Assert.Equal(4, parked.Assignment.Length);
    }

    [Fact]
    public void The_rebalance_timeout_must_remove_members_that_did_not_rejoin()
    {
        var a = _ctx.Join("g", ["t"], rebalanceTimeoutMs: 60_000, sessionTimeoutMs: 120_000);
        var b = _ctx.Join("g", ["t"], sessionTimeoutMs: 120_000);

        _ctx.Advance(59_999);
        var early = _ctx.RebalanceTimeout("g");
        Assert.Empty(early.RemovedMembers);
        Assert.Equal(_ctx.NowMs + 1, early.DeadlineMs);

        _ctx.Advance(1);
        Assert.Equal(new[] { a.MemberId }, _ctx.RebalanceTimeout("g").RemovedMembers);
        Assert.Equal(2, _ctx.Shard.JoinResponseFor("g", b.MemberId).GenerationId);
        Assert.Empty(_ctx.RebalanceTimeout("g").RemovedMembers);
    }

    [Fact]
    public void Topic_changes_must_rebalance_only_groups_subscribed_to_the_topic()
    {
        _ctx.Topic("u", 1);
        var onT = _ctx.Join("g", ["t"]);
        var onU = _ctx.Join("h", ["u"]);

        var response = _ctx.Topic("t", 6);
        Assert.Equal<string>(["g"], response.RebalancingGroups);
        Assert.Equal(GroupState.Stable, _ctx.Describe("h").State);
        Assert.Equal(ErrorCode.RebalanceInProgress, _ctx.Heartbeat("g", onT.MemberId, 1).Error);
        Assert.Equal(6, _ctx.Join("g", ["t"], memberId: onT.MemberId).Assignment.Length);
        Assert.Equal(ErrorCode.None, _ctx.Heartbeat("h", onU.MemberId, 1).Error);

        Assert.Empty(_ctx.Topic("t", 6).RebalancingGroups);
        Assert.Equal<string>(["h"], _ctx.Topic("u", 0).RebalancingGroups);
        Assert.Empty(_ctx.Join("h", ["u"], memberId: onU.MemberId).Assignment);
    }

    [Fact]
    public void A_static_member_restarting_within_its_session_must_keep_its_partitions_without_a_rebalance()
    {
        var a = _ctx.Join("g", ["t"], instanceId: "pod-a");
        var b = _ctx.Join("g", ["t"], instanceId: "pod-b");
        _ctx.Join("g", ["t"], memberId: a.MemberId, instanceId: "pod-a");
        var before = _ctx.Describe("g");
        var bAssignment = _ctx.AssignmentOf("g", b.MemberId);

        // pod-b's process dies and comes back with a new member id before its session ends.
        _ctx.Advance(SessionTimeoutMs / 2);
        var restarted = _ctx.Join("g", ["t"], instanceId: "pod-b");

        Assert.NotEqual(b.MemberId, restarted.MemberId);
        Assert.False(restarted.Pending);
        Assert.Equal(before.GenerationId, restarted.GenerationId);
        Assert.Equal<GroupTopicPartition>(bAssignment, restarted.Assignment);
        Assert.DoesNotContain(_ctx.LastEvents, e => e is RebalanceStarted);
        Assert.Equal(GroupState.Stable, _ctx.Describe("g").State);
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.Heartbeat("g", b.MemberId, before.GenerationId).Error);
        Assert.Equal(ErrorCode.None, _ctx.Heartbeat("g", restarted.MemberId, before.GenerationId).Error);
        Assert.Equal(ErrorCode.None, _ctx.CommitOne("g", restarted.MemberId, before.GenerationId, bAssignment[0].Topic, bAssignment[0].Partition, 5));
    }

    [Fact]
    public void A_static_member_coming_back_after_its_session_expired_must_rebalance()
    {
        var a = _ctx.Join("g", ["t"], instanceId: "pod-a");
        _ctx.Advance(SessionTimeoutMs);
        _ctx.ExpireDueMembers("g");

        var back = _ctx.Join("g", ["t"], instanceId: "pod-a");
        Assert.NotEqual(a.MemberId, back.MemberId);
        Assert.Equal(3, back.GenerationId);
    }

    [Fact]
    public void An_admin_must_remove_a_static_member_by_instance_id()
    {
        _ctx.Join("g", ["t"], instanceId: "pod-a");
        Assert.Equal(ErrorCode.None, _ctx.Leave("g", "", instanceId: "pod-a").Error);
        Assert.Empty(_ctx.Describe("g").Members);
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.Leave("g", "", instanceId: "pod-a").Error);
    }

    [Fact]
    public void Cooperative_sticky_must_revoke_only_moving_partitions_and_assign_them_one_rebalance_later()
    {
        _ctx.Topic("t", 6);
        var a = _ctx.Join("g", ["t"], assignor: "cooperative-sticky");
        Assert.Equal(6, a.Assignment.Length);

        // b joins; a keeps consuming everything while it rejoins with what it owns.
        var b = _ctx.Join("g", ["t"], assignor: "cooperative-sticky");
        var first = _ctx.Join("g", ["t"], assignor: "cooperative-sticky", memberId: a.MemberId, owned: a.Assignment);
        var bFirst = _ctx.Shard.JoinResponseFor("g", b.MemberId);
        Assert.Equal(2, first.GenerationId);
        Assert.Equal(3, first.Assignment.Length);
        Assert.Subset(a.Assignment.ToHashSet(), first.Assignment.ToHashSet());
        Assert.Empty(bFirst.Assignment);
        var moving = a.Assignment.Except(first.Assignment).ToList();
        Assert.Equal<GroupTopicPartition>(moving, _ctx.Describe("g").Members.Single(m => m.MemberId == a.MemberId).PendingRevocation);

        // a may still commit what it is revoking (in onPartitionsRevoked), with the new generation; b may not yet.
        Assert.Equal(ErrorCode.None, _ctx.CommitOne("g", a.MemberId, 2, moving[0].Topic, moving[0].Partition, 10));
        Assert.Equal(ErrorCode.IllegalGeneration, _ctx.CommitOne("g", b.MemberId, 2, moving[0].Topic, moving[0].Partition, 10));

        // a revoked them and rejoins: second rebalance, b gets exactly the revoked partitions, a loses nothing more.
        var second = _ctx.Join("g", ["t"], assignor: "cooperative-sticky", memberId: a.MemberId, owned: first.Assignment);
        Assert.True(second.Pending);
        Assert.Equal(ErrorCode.RebalanceInProgress, _ctx.Heartbeat("g", b.MemberId, 2).Error);
        var bSecond = _ctx.Join("g", ["t"], assignor: "cooperative-sticky", memberId: b.MemberId, owned: bFirst.Assignment);
        var aSecond = _ctx.Shard.JoinResponseFor("g", a.MemberId);
        Assert.Equal(3, bSecond.GenerationId);
        Assert.Equal<GroupTopicPartition>(first.Assignment, aSecond.Assignment);
        Assert.Equal<GroupTopicPartition>(moving, bSecond.Assignment);
        Assert.All(_ctx.Describe("g").Members, m => Assert.Empty(m.PendingRevocation));
    }

    [Fact]
    public void Classic_mode_must_relay_subscriptions_to_the_leader_and_its_assignment_through_SyncGroup()
    {
        var a = _ctx.Join("g", ["t"], mode: GroupProtocolMode.Classic);
        Assert.Equal(1, a.GenerationId);
        Assert.Equal(a.MemberId, a.LeaderId);
        Assert.Single(a.Members);
        Assert.Empty(a.Assignment);
        Assert.Equal(GroupState.CompletingRebalance, _ctx.Describe("g").State);
        Assert.Equal(ErrorCode.None, _ctx.Sync("g", a.MemberId, 1, new MemberAssignment(a.MemberId, [Tp("t", 0), Tp("t", 1), Tp("t", 2), Tp("t", 3)])).Error);

        var b = _ctx.Join("g", ["t"], mode: GroupProtocolMode.Classic);
        var leaderJoin = _ctx.Join("g", ["t"], memberId: a.MemberId, mode: GroupProtocolMode.Classic);
        var followerJoin = _ctx.Shard.JoinResponseFor("g", b.MemberId);
        Assert.Equal(2, leaderJoin.GenerationId);
        Assert.Equal(2, leaderJoin.Members.Length);
        Assert.Empty(followerJoin.Members);
        Assert.Equal(a.MemberId, followerJoin.LeaderId);

        // The follower syncs first and is parked; commits wait for the assignment.
        var followerSync = _ctx.Sync("g", b.MemberId, 2);
        Assert.True(followerSync.Pending);
        Assert.Equal(ErrorCode.RebalanceInProgress, _ctx.CommitOne("g", a.MemberId, 2, "t", 0, 1));
        Assert.Equal(ErrorCode.None, _ctx.Heartbeat("g", b.MemberId, 2).Error);

        var leaderSync = _ctx.Sync("g", a.MemberId, 2,
            new MemberAssignment(a.MemberId, [Tp("t", 0), Tp("t", 1)]),
            new MemberAssignment(b.MemberId, [Tp("t", 2), Tp("t", 3)]),
            new MemberAssignment("stranger", [Tp("t", 9)]));
        Assert.Equal<GroupTopicPartition>([Tp("t", 0), Tp("t", 1)], leaderSync.Assignment);
        Assert.Contains(_ctx.LastEvents, e => e is AssignmentSynced);
        Assert.Equal<GroupTopicPartition>([Tp("t", 2), Tp("t", 3)], _ctx.Shard.SyncResponseFor("g", b.MemberId).Assignment);
        Assert.Equal(GroupState.Stable, _ctx.Describe("g").State);
        Assert.Equal(ErrorCode.None, _ctx.CommitOne("g", b.MemberId, 2, "t", 2, 1));
        Assert.Equal(ErrorCode.IllegalGeneration, _ctx.Sync("g", b.MemberId, 1).Error);
    }

    [Fact]
    public void A_classic_leader_that_never_syncs_must_be_removed_after_the_rebalance_timeout()
    {
        var a = _ctx.Join("g", ["t"], mode: GroupProtocolMode.Classic);
        _ctx.Advance(RebalanceTimeoutMs);
        Assert.Equal(new[] { a.MemberId }, _ctx.RebalanceTimeout("g").RemovedMembers);
        Assert.Equal(GroupState.Empty, _ctx.Describe("g").State);
    }

    [Fact]
    public void Groups_must_be_listed_and_described()
    {
        var a = _ctx.Join("g", ["t"], clientId: "app");
        _ctx.Join("h", ["t"]);
        _ctx.Join("h", ["t"]);

        Assert.Equal(["g", "h"], _ctx.List().Groups.Select(g => g.GroupId));
        Assert.Equal(["h"], _ctx.List(GroupState.PreparingRebalance).Groups.Select(g => g.GroupId));
        var g = _ctx.Describe("g");
        Assert.Equal(GroupState.Stable, g.State);
        Assert.Equal(GroupProtocolMode.Native, g.Mode);
        var member = Assert.Single(g.Members);
        Assert.Equal("app", member.ClientId);
        Assert.Equal(a.MemberId, member.MemberId);
        Assert.Equal<string>(["t"], member.Topics);
        Assert.Equal(ErrorCode.GroupIdNotFound, _ctx.TryDescribe("nope").Error);
        Assert.Equal(ErrorCode.InvalidGroupId, _ctx.TryDescribe("").Error);
    }
}
