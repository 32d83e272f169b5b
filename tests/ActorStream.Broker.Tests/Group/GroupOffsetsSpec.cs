using ActorStream.Broker.Group;
using ActorStream.Protocol;
using static ActorStream.Broker.Tests.Group.GroupCoordinatorContext;

namespace ActorStream.Broker.Tests.Group;

public sealed class GroupOffsetsSpec
{
    private const long RetentionMs = 60_000;
    private readonly GroupCoordinatorContext _ctx = new(GroupCoordinatorConfig.Default with { OffsetsRetentionMs = RetentionMs });

    public GroupOffsetsSpec() => _ctx.Topic("t", 2);

    [Fact]
    public void A_member_must_commit_and_fetch_its_offsets_with_metadata()
    {
        var a = _ctx.Join("g", ["t"]);
        var response = _ctx.Commit("g", a.MemberId, 1, new OffsetCommitPartition("t", 0, 42, "meta"), new OffsetCommitPartition("t", 1, 7));

        Assert.All(response.Partitions, p => Assert.Equal(ErrorCode.None, p.Error));
        var fetched = _ctx.Fetch("g", Tp("t", 0), Tp("t", 1), Tp("u", 0));
        Assert.Equal([42L, 7L, -1L], fetched.Partitions.Select(p => p.Offset));
        Assert.Equal("meta", fetched.Partitions[0].Metadata);
        Assert.Equal(2, _ctx.Fetch("g").Partitions.Length);
        Assert.Equal(-1, Assert.Single(_ctx.Fetch("unknown", Tp("t", 0)).Partitions).Offset);
        Assert.Equal(_ctx.NowMs, _ctx.Describe("g").Offsets[0].CommitTimestampMs);
    }

    [Fact]
    public void Commits_from_stale_generations_unknown_members_or_for_unowned_partitions_must_be_rejected()
    {
        var a = _ctx.Join("g", ["t"]);
        var b = _ctx.Join("g", ["t"]);
        _ctx.Join("g", ["t"], memberId: a.MemberId);
        var owned = _ctx.AssignmentOf("g", a.MemberId).Single();
        var notOwned = _ctx.AssignmentOf("g", b.MemberId).Single();

        Assert.Equal(ErrorCode.IllegalGeneration, _ctx.CommitOne("g", a.MemberId, 1, owned.Topic, owned.Partition, 1));
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.CommitOne("g", "ghost", 2, owned.Topic, owned.Partition, 1));
        Assert.Equal(ErrorCode.UnknownMemberId, _ctx.CommitOne("g", "", -1, owned.Topic, owned.Partition, 1));
        Assert.Equal(ErrorCode.GroupIdNotFound, _ctx.CommitOne("nope", a.MemberId, 2, owned.Topic, owned.Partition, 1));
        Assert.Equal(ErrorCode.InvalidGroupId, _ctx.CommitOne("", a.MemberId, 2, owned.Topic, owned.Partition, 1));
        Assert.Equal(ErrorCode.IllegalGeneration, _ctx.CommitOne("g", a.MemberId, 2, notOwned.Topic, notOwned.Partition, 1));

        // One request, one code per partition: the valid partition is committed.
        var mixed = _ctx.Commit("g", a.MemberId, 2,
            new OffsetCommitPartition(owned.Topic, owned.Partition, 5),
            new OffsetCommitPartition(notOwned.Topic, notOwned.Partition, 5),
            new OffsetCommitPartition(owned.Topic, owned.Partition, -3),
            new OffsetCommitPartition(owned.Topic, owned.Partition, 6, new string('x', 5000)));
        Assert.Equal(
            [ErrorCode.None, ErrorCode.IllegalGeneration, ErrorCode.OffsetOutOfRange, ErrorCode.InvalidCommitOffsetSize],
            mixed.Partitions.Select(p => p.Error));
        Assert.Equal(5, Assert.Single(_ctx.Fetch("g").Partitions).Offset);
    }

    [Fact]
    public void Commits_during_a_rebalance_must_follow_Kafka()
    {
        var a = _ctx.Join("g", ["t"]);
        _ctx.Join("g", ["t"]);

        // PreparingRebalance: the current generation may still commit (an eager consumer commits before rejoining).
        Assert.Equal(ErrorCode.None, _ctx.CommitOne("g", a.MemberId, 1, "t", 0, 3));

        // A new member that has no generation yet may not.
        var c = _ctx.Join("g", ["t"]);
        Assert.Equal(ErrorCode.IllegalGeneration, _ctx.CommitOne("g", c.MemberId, 1, "t", 0, 3));
    }

    [Fact]
    public void An_admin_commit_or_reset_must_only_work_for_an_inactive_group()
    {
        Assert.Equal(ErrorCode.None, _ctx.CommitOne("fresh", "", -1, "t", 0, 9));
        Assert.Equal(GroupState.Empty, _ctx.Describe("fresh").State);

        var reset = _ctx.Reset("fresh", new OffsetCommitPartition("t", 0, 1), new OffsetCommitPartition("t", 1, -1));
        Assert.Equal(ErrorCode.None, reset.Error);
        Assert.Equal([ErrorCode.None, ErrorCode.OffsetOutOfRange], reset.Partitions.Select(p => p.Error));
        Assert.Equal(1, _ctx.Fetch("fresh", Tp("t", 0)).Partitions[0].Offset);

        _ctx.Join("fresh", ["t"]);
        Assert.Equal(ErrorCode.NonEmptyGroup, _ctx.Reset("fresh", new OffsetCommitPartition("t", 0, 0)).Error);
        Assert.Equal(1, _ctx.Fetch("fresh", Tp("t", 0)).Partitions[0].Offset);
    }

    [Fact]
    public void Deleting_must_only_work_for_an_Empty_group()
    {
        var a = _ctx.Join("g", ["t"]);
        _ctx.CommitOne("g", a.MemberId, 1, "t", 0, 1);

        Assert.Equal(ErrorCode.NonEmptyGroup, _ctx.Delete("g").Error);
        Assert.Equal(ErrorCode.GroupIdNotFound, _ctx.Delete("nope").Error);
        Assert.Equal(ErrorCode.InvalidGroupId, _ctx.Delete("").Error);

        _ctx.Leave("g", a.MemberId);
        Assert.Equal(ErrorCode.None, _ctx.Delete("g").Error);
        Assert.Equal(ErrorCode.GroupIdNotFound, _ctx.TryDescribe("g").Error);
        Assert.Equal(-1, _ctx.Fetch("g", Tp("t", 0)).Partitions[0].Offset);
        Assert.Empty(_ctx.List().Groups);
    }

    [Fact]
    public void Offsets_must_expire_only_for_Empty_groups_after_the_retention()
    {
        var active = _ctx.Join("active", ["t"]);
        _ctx.CommitOne("active", active.MemberId, 1, "t", 0, 1);
        var leaving = _ctx.Join("idle", ["t"]);
        _ctx.CommitOne("idle", leaving.MemberId, 1, "t", 0, 1);
        _ctx.Advance(RetentionMs);
        _ctx.Leave("idle", leaving.MemberId);

        // The idle group became Empty just now: its old commit lives a full retention from then.
        _ctx.Advance(RetentionMs - 1);
        _ctx.Heartbeat("active", active.MemberId, 1);
        Assert.Empty(_ctx.ExpireOffsets().Groups);

        _ctx.Advance(1);
        _ctx.Heartbeat("active", active.MemberId, 1);
        var expired = Assert.Single(_ctx.ExpireOffsets().Groups);
        Assert.Equal(new ExpiredGroupOffsets("idle", 1, GroupDeleted: true), expired);
        Assert.Equal(ErrorCode.GroupIdNotFound, _ctx.TryDescribe("idle").Error);
        Assert.Equal(1, _ctx.Fetch("active", Tp("t", 0)).Partitions[0].Offset);
    }

    [Fact]
    public void An_Empty_group_must_keep_offsets_committed_after_it_became_empty_for_their_own_retention()
    {
        _ctx.CommitOne("g", "", -1, "t", 0, 1);
        _ctx.Advance(RetentionMs / 2);
        _ctx.CommitOne("g", "", -1, "t", 1, 2);
        _ctx.Advance(RetentionMs / 2);

        Assert.Equal(new ExpiredGroupOffsets("g", 1, GroupDeleted: false), Assert.Single(_ctx.ExpireOffsets().Groups));
        Assert.Equal([Tp("t", 1)], _ctx.Fetch("g").Partitions.Select(p => Tp(p.Topic, p.Partition)));
    }

    [Fact]
    public void Replaying_the_journal_must_rebuild_the_same_groups()
    {
        _ctx.Topic("u", 3);
        var a = _ctx.Join("g", ["t", "u"], assignor: "cooperative-sticky", instanceId: "pod-a");
        var b = _ctx.Join("g", ["t", "u"], assignor: "cooperative-sticky");
        _ctx.Join("g", ["t", "u"], assignor: "cooperative-sticky", memberId: a.MemberId, owned: a.Assignment);
        _ctx.CommitOne("g", a.MemberId, 2, _ctx.AssignmentOf("g", a.MemberId)[0].Topic, _ctx.AssignmentOf("g", a.MemberId)[0].Partition, 11);
        _ctx.Join("g", ["t", "u"], assignor: "cooperative-sticky", instanceId: "pod-a");
        var c = _ctx.Join("classic", ["t"], mode: GroupProtocolMode.Classic);
        _ctx.Sync("classic", c.MemberId, 1, new MemberAssignment(c.MemberId, [Tp("t", 0)]));
        _ctx.Join("h", ["u"]);
        _ctx.Join("h", ["u"]);
        _ctx.CommitOne("empty", "", -1, "t", 1, 4);
        _ctx.Leave("g", b.MemberId);

        var replayed = _ctx.Replay();
        foreach (var group in _ctx.Shard.Groups.Keys.Order(StringComparer.Ordinal))
        {
            Assert.Equal(Canonical(_ctx.Describe(group)), Canonical(GroupCoordinatorShard.Describe(replayed.Find(group)!)));
        }

        Assert.Equal(_ctx.Shard.Groups.Keys.Order(StringComparer.Ordinal), replayed.Groups.Keys.Order(StringComparer.Ordinal));
    }
}
