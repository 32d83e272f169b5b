using ActorStream.Broker.Group;
using ActorStream.Protocol;
using Google.Protobuf;
using static ActorStream.Broker.Tests.Group.GroupCoordinatorContext;

namespace ActorStream.Broker.Tests.Group;

/// <summary>Mode 2 (Kafka clients through the gateway): opaque protocol metadata and assignments, Kafka's classic rules.</summary>
public sealed class GroupKafkaModeSpec
{
    private static readonly GroupTopicPartition[] All = [Tp("t", 0), Tp("t", 1), Tp("t", 2), Tp("t", 3)];

    private readonly GroupCoordinatorContext _ctx = new();

    public GroupKafkaModeSpec() => _ctx.Topic("t", 4);

    /// <summary>a alone (generation 1, synced), then b joins and a rejoins: generation 2, CompletingRebalance, a leads.</summary>
    private (JoinGroupResponse Leader, JoinGroupResponse Follower) TwoMembers(string group)
    {
        var a = _ctx.JoinKafka(group, clientId: "a");
        _ctx.SyncKafka(group, a.MemberId, 1, (a.MemberId, "a-all", All));
        var b = _ctx.JoinKafka(group, clientId: "b");
        Assert.True(b.Pending);
        var leader = _ctx.JoinKafka(group, memberId: a.MemberId, clientId: "a");
        var follower = _ctx.Shard.JoinResponseFor(group, b.MemberId);
        Assert.Equal(2, leader.GenerationId);
        Assert.Equal(leader.MemberId, leader.LeaderId);
        return (leader, follower);
    }

    [Fact]
    public void A_new_dynamic_member_must_get_MEMBER_ID_REQUIRED_and_then_join_with_that_id()
    {
        var required = _ctx.JoinKafka("g", requireKnownMemberId: true);

        Assert.Equal(ErrorCode.MemberIdRequired, required.Error);
        Assert.NotEmpty(required.MemberId);
        Assert.Empty(_ctx.Journal);
        Assert.Equal(ErrorCode.GroupIdNotFound, _ctx.TryDescribe("g").Error);

        var joined = _ctx.JoinKafka("g", memberId: required.MemberId, requireKnownMemberId: true);
        Assert.Equal(ErrorCode.None, joined.Error);
        Assert.False(joined.Pending);
        Assert.Equal(required.MemberId, joined.MemberId);
        Assert.Equal(1, joined.GenerationId);
        Assert.Equal(joined.MemberId, joined.LeaderId);
        Assert.Equal("range", joined.ProtocolName);
        Assert.Equal("consumer", joined.ProtocolType);
        var member = Assert.Single(joined.Members);
        Assert.Equal(Bytes("range:client"), member.Metadata);
        Assert.Empty(joined.Assignment);
        Assert.Equal(GroupState.CompletingRebalance, _ctx.Describe("g").State);

        // The id is no longer pending: it is a member, and rejoining unchanged while the leader has not synced changes nothing.
        Assert.False(_ctx.Shard.IsPendingMember("g", required.MemberId, _ctx.NowMs));
        Assert.Equal(1, _ctx.JoinKafka("g", memberId: required.MemberId).GenerationId);
        Assert.Empty(_ctx.LastEvents);
    }

    [Fact]
    public void An_unknown_or_expired_pending_member_id_must_get_UNKNOWN_MEMBER_ID()
    {
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.JoinKafka("g", memberId: "made-up").Error);

        var required = _ctx.JoinKafka("g", requireKnownMemberId: true, sessionTimeoutMs: 6_000);
        _ctx.Advance(6_000);
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.JoinKafka("g", memberId: required.MemberId).Error);

        // A pending id belongs to its group only; a static member never needs the round trip.
        var other = _ctx.JoinKafka("g", requireKnownMemberId: true);
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.JoinKafka("h", memberId: other.MemberId).Error);
        Assert.Equal(ErrorCode.None, _ctx.JoinKafka("s", instanceId: "i-1", requireKnownMemberId: true).Error);
        Assert.Equal(ErrorCode.None, _ctx.JoinKafka("g", memberId: other.MemberId).Error);
    }

    [Fact]
    public void The_vote_must_be_over_protocol_names_and_the_leader_must_get_every_members_metadata_for_the_winner()
    {
        var a = _ctx.JoinKafka("g", clientId: "a", protocols: [("range", "a-range"), ("roundrobin", "a-rr")]);
        Assert.Equal("range", a.ProtocolName);
        var b = _ctx.JoinKafka("g", clientId: "b", protocols: [("roundrobin", "b-rr"), ("range", "b-range")]);
        var c = _ctx.JoinKafka("g", clientId: "c", protocols: [("roundrobin", "c-rr"), ("range", "c-range")]);
        var leader = _ctx.JoinKafka("g", memberId: a.MemberId, clientId: "a", protocols: [("range", "a-range"), ("roundrobin", "a-rr")]);

        Assert.Equal(2, leader.GenerationId);
        Assert.Equal("roundrobin", leader.ProtocolName);
        Assert.Equal(
            [(a.MemberId, "a-rr"), (b.MemberId, "b-rr"), (c.MemberId, "c-rr")],
            leader.Members.Select(m => (m.MemberId, m.Metadata.ToStringUtf8())).OrderBy(m => m.MemberId, StringComparer.Ordinal));
        var follower = _ctx.Shard.JoinResponseFor("g", b.MemberId);
        Assert.Empty(follower.Members);
        Assert.Equal("consumer", follower.ProtocolType);
        Assert.Equal("roundrobin", _ctx.Describe("g").ProtocolName);
    }

    [Fact]
    public void Members_of_another_mode_protocol_type_or_protocol_set_must_get_INCONSISTENT_GROUP_PROTOCOL()
    {
        _ctx.JoinKafka("g", protocols: [("range", "x")]);

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, _ctx.JoinKafka("g", protocols: [("sticky", "x")]).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, _ctx.JoinKafka("g", protocolType: "connect").Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, _ctx.Join("g", ["t"]).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, _ctx.Join("g", ["t"], mode: GroupProtocolMode.Classic).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, _ctx.JoinKafka("h", protocolType: "").Error);
        Assert.Single(_ctx.Describe("g").Members);

        // Kafka clients may name any protocol, known to the broker or not.
        Assert.Equal(ErrorCode.None, _ctx.JoinKafka("k", protocols: [("my-own-assignor", "m")]).Error);
    }

    [Fact]
    public void The_leaders_assignments_must_be_relayed_byte_for_byte_with_the_decoded_partitions_kept()
    {
        var (leader, follower) = TwoMembers("g");

        var parked = _ctx.SyncKafka("g", follower.MemberId, 2);
        Assert.True(parked.Pending);

        var synced = _ctx.SyncKafka(
            "g", leader.MemberId, 2, (leader.MemberId, "bytes-for-a", [Tp("t", 0), Tp("t", 1)]), (follower.MemberId, "bytes-for-b", [Tp("t", 2), Tp("t", 3)]));
        Assert.Equal(ErrorCode.None, synced.Error);
        Assert.Equal(Bytes("bytes-for-a"), synced.KafkaAssignment);
        Assert.Equal("consumer", synced.ProtocolType);
        Assert.Equal("range", synced.ProtocolName);

        var released = _ctx.Shard.SyncResponseFor("g", follower.MemberId);
        Assert.False(released.Pending);
        Assert.Equal(Bytes("bytes-for-b"), released.KafkaAssignment);
        Assert.Equal(Bytes("bytes-for-b"), _ctx.SyncKafka("g", follower.MemberId, 2).KafkaAssignment);

        var description = _ctx.Describe("g");
        Assert.Equal(GroupState.Stable, description.State);
        Assert.Equal(GroupProtocolMode.Kafka, description.Mode);
        Assert.Equal("consumer", description.ProtocolType);
        var b = description.Members.Single(m => m.MemberId == follower.MemberId);
        Assert.Equal<GroupTopicPartition>([Tp("t", 2), Tp("t", 3)], b.Assignment);
        Assert.Equal(Bytes("bytes-for-b"), b.KafkaAssignment);
        Assert.Equal(Bytes("range:b"), b.Metadata);
        Assert.Equal("/127.0.0.1", b.ClientHost);
        Assert.Equal("consumer", Assert.Single(_ctx.List().Groups).ProtocolType);
    }

    [Fact]
    public void A_member_the_leader_left_out_must_get_empty_bytes_and_a_different_protocol_type_or_name_must_be_refused()
    {
        var (leader, follower) = TwoMembers("g");

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, _ctx.SyncKafkaAs("g", leader.MemberId, 2, "connect", null, null).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, _ctx.SyncKafkaAs("g", leader.MemberId, 2, null, "roundrobin", null).Error);
        Assert.Empty(_ctx.LastEvents);

        var synced = _ctx.SyncKafkaAs("g", leader.MemberId, 2, "consumer", "range", null, (leader.MemberId, "everything", All), ("not-a-member", "x", []));
        Assert.Equal(Bytes("everything"), synced.KafkaAssignment);
        var left = _ctx.SyncKafka("g", follower.MemberId, 2);
        Assert.Equal(ErrorCode.None, left.Error);
        Assert.Equal(ByteString.Empty, left.KafkaAssignment);
        Assert.Empty(left.Assignment);
    }

    [Fact]
    public void Commits_must_not_check_partition_ownership_but_must_check_generation_and_rebalance_state()
    {
        var (leader, follower) = TwoMembers("g");

        Assert.Equal(ErrorCode.RebalanceInProgress, _ctx.CommitOne("g", leader.MemberId, 2, "t", 0, 5));
        _ctx.SyncKafka("g", leader.MemberId, 2, (leader.MemberId, "a", [Tp("t", 0), Tp("t", 1)]), (follower.MemberId, "b", [Tp("t", 2), Tp("t", 3)]));

        // Kafka's classic coordinator accepts any partition from a member of the current generation.
        Assert.Equal(ErrorCode.None, _ctx.CommitOne("g", leader.MemberId, 2, "t", 3, 7));
        Assert.Equal(ErrorCode.None, _ctx.CommitOne("g", leader.MemberId, 2, "other-topic", 0, 1));
        Assert.Equal(ErrorCode.IllegalGeneration, _ctx.CommitOne("g", leader.MemberId, 1, "t", 0, 5));
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.CommitOne("g", "", -1, "t", 0, 5));

        // A rebalance began: members of the current generation still commit (an eager consumer commits while revoking).
        _ctx.JoinKafka("g", clientId: "c");
        Assert.Equal(ErrorCode.None, _ctx.CommitOne("g", follower.MemberId, 2, "t", 0, 9));
        Assert.Equal(9, _ctx.Fetch("g", Tp("t", 0)).Partitions[0].Offset);
        Assert.Equal(7, _ctx.Fetch("g", Tp("t", 3)).Partitions[0].Offset);
    }

    [Fact]
    public void A_topic_change_must_not_rebalance_a_Kafka_group()
    {
        var a = _ctx.JoinKafka("g");
        _ctx.SyncKafka("g", a.MemberId, 1, (a.MemberId, "all", All));
        _ctx.Join("native", ["t"]);

        Assert.Equal<string>(["native"], _ctx.Topic("t", 8).RebalancingGroups);
        Assert.Equal(GroupState.Stable, _ctx.Describe("g").State);
        Assert.Equal(ErrorCode.None, _ctx.Heartbeat("g", a.MemberId, 1).Error);
    }

    [Fact]
    public void A_no_wait_join_must_answer_at_once_with_the_current_generation_and_assignment()
    {
        var a = _ctx.Join("g", ["t"], clientId: "a");
        var b = _ctx.Join("g", ["t"], clientId: "b");
        _ctx.Join("g", ["t"], memberId: a.MemberId, clientId: "a");
        var before = _ctx.AssignmentOf("g", a.MemberId);
        Assert.Equal(2, _ctx.Shard.JoinResponseFor("g", b.MemberId).GenerationId);

        var c = _ctx.Join("g", ["t"], clientId: "c", noWait: true);
        Assert.False(c.Pending);
        Assert.Equal(2, c.GenerationId);
        Assert.Empty(c.Assignment);
        Assert.Equal(GroupState.PreparingRebalance, _ctx.Describe("g").State);

        var aBeat = _ctx.Join("g", ["t"], memberId: a.MemberId, clientId: "a", noWait: true);
        Assert.False(aBeat.Pending);
        Assert.Equal(2, aBeat.GenerationId);
        Assert.Equal<GroupTopicPartition>(before, aBeat.Assignment);

        // The round completes once every member has joined into it, no-wait or not.
        var bBeat = _ctx.Join("g", ["t"], memberId: b.MemberId, clientId: "b", noWait: true);
        Assert.Equal(3, bBeat.GenerationId);
        Assert.Equal(GroupState.Stable, _ctx.Describe("g").State);
        Assert.Equal(4, _ctx.Describe("g").Members.Sum(m => m.Assignment.Length));
    }

    [Fact]
    public void OffsetDelete_must_remove_offsets_of_topics_no_member_subscribes_to()
    {
        Assert.Equal(ErrorCode.GroupIdNotFound, _ctx.Run(_ctx.Shard.Handle(new DeleteOffsets("nope", [Tp("t", 0)], _ctx.NowMs))).Error);

        var a = _ctx.JoinKafka("g", topics: ["t"]);
        _ctx.SyncKafka("g", a.MemberId, 1, (a.MemberId, "all", All));
        _ctx.CommitOne("g", a.MemberId, 1, "t", 0, 5);
        _ctx.CommitOne("g", a.MemberId, 1, "old", 0, 3);

        var response = _ctx.Run(_ctx.Shard.Handle(new DeleteOffsets("g", [Tp("t", 0), Tp("old", 0), Tp("old", 1)], _ctx.NowMs)));
        Assert.Equal(ErrorCode.None, response.Error);
        Assert.Equal(
            [ErrorCode.GroupSubscribedToTopic, ErrorCode.None, ErrorCode.None],
            response.Partitions.Select(p => p.Error));
        var deleted = Assert.IsType<OffsetsDeleted>(Assert.Single(_ctx.LastEvents));
        Assert.Equal<GroupTopicPartition>([Tp("old", 0)], deleted.Partitions);
        Assert.Equal(-1, _ctx.Fetch("g", Tp("old", 0)).Partitions[0].Offset);

        // Once the group is Empty every offset may go.
        _ctx.Leave("g", a.MemberId);
        var empty = _ctx.Run(_ctx.Shard.Handle(new DeleteOffsets("g", [Tp("t", 0)], _ctx.NowMs)));
        Assert.Equal(ErrorCode.None, Assert.Single(empty.Partitions).Error);
        Assert.Empty(_ctx.Describe("g").Offsets);
    }

    [Fact]
    public void Kafka_groups_must_survive_journal_replay_and_snapshots_through_protobuf()
    {
        var (leader, follower) = TwoMembers("g");
        _ctx.SyncKafka("g", leader.MemberId, 2, (leader.MemberId, "a", [Tp("t", 0), Tp("t", 1)]), (follower.MemberId, "b", [Tp("t", 2), Tp("t", 3)]));
        _ctx.CommitOne("g", leader.MemberId, 2, "t", 0, 5);
        _ctx.CommitOne("g", leader.MemberId, 2, "old", 0, 5);
        _ctx.Run(_ctx.Shard.Handle(new DeleteOffsets("g", [Tp("old", 0)], _ctx.NowMs)));
        var s = _ctx.JoinKafka("s", instanceId: "i-1", clientHost: "/127.0.0.2", protocols: [("cooperative-sticky", "s1")]);
        _ctx.SyncKafka("s", s.MemberId, 1, (s.MemberId, "s-bytes", All));
        _ctx.JoinKafka("s", instanceId: "i-1", clientHost: "/127.0.0.3", protocols: [("cooperative-sticky", "s2")]);

        var replayed = new GroupCoordinatorShard(_ctx.Shard.Config);
        foreach (var e in _ctx.Journal)
        {
            var proto = e.ToProto();
            replayed.Apply(GroupMessageMapping.ToEvent(proto.Descriptor.Parser.ParseFrom(proto.ToByteArray()))!);
        }

        var bytes = GroupMessageMapping.ToSnapshot(_ctx.Shard.Groups.Values).ToByteArray();
        var restored = new GroupCoordinatorShard(_ctx.Shard.Config);
        restored.Restore(GroupMessageMapping.FromSnapshot(Protocol.Group.GroupCoordinatorSnapshot.Parser.ParseFrom(bytes)));

        foreach (var group in new[] { "g", "s" })
        {
            var expected = Canonical(_ctx.Describe(group));
            Assert.Equal(expected, Canonical(GroupCoordinatorShard.Describe(replayed.Find(group)!)));
            Assert.Equal(expected, Canonical(GroupCoordinatorShard.Describe(restored.Find(group)!)));
        }

        var member = Assert.Single(restored.Find("s")!.Members.Values);
        Assert.Equal("/127.0.0.3", member.ClientHost);
        Assert.Equal(Bytes("s2"), member.MetadataFor("cooperative-sticky"));
        Assert.Equal(Bytes("s-bytes"), member.KafkaAssignment);
        Assert.Equal("consumer", restored.Find("g")!.ProtocolType);
        Assert.DoesNotContain(restored.Find("g")!.Offsets.Keys, tp => tp.Topic == "old");
    }
}
