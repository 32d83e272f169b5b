using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using GroupCoordinator = ActorStream.Broker.Group.GroupCoordinator;
using GroupCoordinatorConfig = ActorStream.Broker.Group.GroupCoordinatorConfig;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Group;

namespace ActorStream.Broker.Tests.Group;

/// <summary>
/// The group coordinator actor alone: the in-memory journal, a probe plays the controller (answering the first
/// GetMetadataSnapshot with the topics), probes play the members (the senders of JoinGroup, watched by the coordinator).
/// </summary>
public sealed class GroupCoordinatorSpec : Akka.TestKit.Xunit2.TestKit
{
    private const string Topic = "orders";
    private const int Partitions = 4;

    private readonly TestProbe _controller;
    private int _nextMemberId;

    public GroupCoordinatorSpec()
        : base(ConfigurationFactory.ParseString("""
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            akka.loglevel = WARNING
            """).WithFallback(ProtocolConfig.Default))
    {
        _controller = CreateTestProbe("controller");
    }

    private async Task<IActorRef> StartCoordinatorAsync(int snapshotEvery = 1000)
    {
        var coordinator = Sys.ActorOf(GroupCoordinator.Props(
            GroupCoordinatorConfig.Default,
            _controller.Ref,
            subscribeToMetadata: false,
            TimeProvider.System,
            snapshotEvery,
            memberIdFactory: clientId => $"{clientId}-m{Interlocked.Increment(ref _nextMemberId)}"));
        await _controller.ExpectMsgAsync<GetMetadataSnapshot>();
        var topic = new TopicState { Name = Topic, TopicId = "0123456789abcdef0123456789abcdef", ReplicationFactor = 1 };
        for (var p = 0; p < Partitions; p++)
        {
            topic.Partitions.Add(new PartitionAssignment { Partition = p, Replicas = { 0 }, Isr = { 0 }, LeaderId = 0, LeaderEpoch = 0 });
        }

        _controller.Reply(new MetadataSnapshot { Version = 1, Topics = { topic } });
        return coordinator;
    }

    private static JoinGroupRequest Join(string group, string memberId = "", string clientId = "c") => new()
    {
        GroupId = group,
        MemberId = memberId,
        ClientId = clientId,
        SessionTimeoutMs = 10_000,
        RebalanceTimeoutMs = 30_000,
        Topics = { Topic },
        Assignors = { "range" },
    };

    private static HeartbeatRequest Heartbeat(string group, JoinGroupResponse member) =>
        new() { GroupId = group, MemberId = member.MemberId, GenerationId = member.GenerationId };

    private static OffsetCommitRequest Commit(string group, JoinGroupResponse member, int generation, params (int Partition, long Offset)[] offsets) => new()
    {
        GroupId = group,
        MemberId = member.MemberId,
        GenerationId = generation,
        Offsets = { offsets.Select(o => new OffsetCommitPartition { Topic = Topic, Partition = o.Partition, Offset = o.Offset, Metadata = "m" + o.Offset }) },
    };

    /// <summary>A joins (generation 1, every partition), B joins (parked), A learns of the rebalance by heartbeat and rejoins: generation 2.</summary>
    private async Task<(TestProbe A, JoinGroupResponse AJoined, TestProbe B, JoinGroupResponse BJoined)> TwoMemberGroupAsync(IActorRef coordinator, string group)
    {
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        coordinator.Tell(Join(group, clientId: "a"), a.Ref);
        var first = await a.ExpectMsgAsync<JoinGroupResponse>();
        Assert.Equal((0, 1, Partitions), (first.ErrorCode, first.GenerationId, first.Assignment.Count));

        coordinator.Tell(Join(group, clientId: "b"), b.Ref);
        await b.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        coordinator.Tell(Heartbeat(group, first), a.Ref);
        Assert.Equal((int)ErrorCode.RebalanceInProgress, (await a.ExpectMsgAsync<HeartbeatResponse>()).ErrorCode);

        coordinator.Tell(Join(group, first.MemberId, "a"), a.Ref);
        var aJoined = await a.ExpectMsgAsync<JoinGroupResponse>();
        var bJoined = await b.ExpectMsgAsync<JoinGroupResponse>();
        Assert.Equal((0, 2), (aJoined.ErrorCode, aJoined.GenerationId));
        Assert.Equal((0, 2), (bJoined.ErrorCode, bJoined.GenerationId));
        return (a, aJoined, b, bJoined);
    }

    [Fact]
    public async Task Two_members_must_get_disjoint_assignments_covering_every_partition()
    {
        var coordinator = await StartCoordinatorAsync();
        var (_, a, _, b) = await TwoMemberGroupAsync(coordinator, "g1");

        Assert.NotEmpty(a.Assignment);
        Assert.NotEmpty(b.Assignment);
        Assert.Empty(a.Assignment.Select(p => p.Partition).Intersect(b.Assignment.Select(p => p.Partition)));
        Assert.Equal(Enumerable.Range(0, Partitions), a.Assignment.Concat(b.Assignment).Select(p => p.Partition).Order());
        Assert.Equal(a.LeaderId, b.LeaderId);
    }

    [Fact]
    public async Task A_commit_must_be_persisted_and_returned_by_offset_fetch()
    {
        var coordinator = await StartCoordinatorAsync();
        var (a, aJoined, _, _) = await TwoMemberGroupAsync(coordinator, "g2");
        var owned = aJoined.Assignment[0].Partition;

        coordinator.Tell(Commit("g2", aJoined, aJoined.GenerationId, (owned, 42)), a.Ref);
        var committed = await a.ExpectMsgAsync<OffsetCommitResponse>();
        Assert.Equal(0, Assert.Single(committed.Partitions).ErrorCode);

        coordinator.Tell(new OffsetFetchRequest { GroupId = "g2" }, TestActor);
        var fetched = await ExpectMsgAsync<OffsetFetchResponse>();
        var offset = Assert.Single(fetched.Partitions);
        Assert.Equal((Topic, owned, 42L, "m42"), (offset.Topic, offset.Partition, offset.Offset, offset.Metadata));
    }

    [Fact]
    public async Task A_restarted_coordinator_must_recover_groups_and_committed_offsets_from_snapshot_and_events()
    {
        // A snapshot every 3 events: recovery reads a snapshot and replays the events after it.
        var coordinator = await StartCoordinatorAsync(snapshotEvery: 3);
        var (a, aJoined, b, bJoined) = await TwoMemberGroupAsync(coordinator, "g3");
        coordinator.Tell(Commit("g3", aJoined, 2, (aJoined.Assignment[0].Partition, 7)), a.Ref);
        await a.ExpectMsgAsync<OffsetCommitResponse>();
        coordinator.Tell(Commit("g3", bJoined, 2, (bJoined.Assignment[0].Partition, 9)), b.Ref);
        await b.ExpectMsgAsync<OffsetCommitResponse>();

        await WatchAsync(coordinator);
        coordinator.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(coordinator);

        var restarted = await StartCoordinatorAsync(snapshotEvery: 3);
        restarted.Tell(new OffsetFetchRequest { GroupId = "g3" }, TestActor);
        var fetched = await ExpectMsgAsync<OffsetFetchResponse>();
        Assert.Equal(
            new[] { (aJoined.Assignment[0].Partition, 7L), (bJoined.Assignment[0].Partition, 9L) }.OrderBy(x => x.Item1),
            fetched.Partitions.Select(p => (p.Partition, p.Offset)).OrderBy(x => x.Item1));

        restarted.Tell(new DescribeGroupRequest { GroupId = "g3" }, TestActor);
        var described = await ExpectMsgAsync<DescribeGroupResponse>();
        Assert.Equal((0, "Stable", 2, 2), (described.ErrorCode, described.State, described.GenerationId, described.Members.Count));
        Assert.Equal(Partitions, described.Members.Sum(m => m.Assignment.Count));

        // Sessions restarted on recovery: the members carry on in their generation.
        restarted.Tell(Heartbeat("g3", aJoined), a.Ref);
        Assert.Equal(0, (await a.ExpectMsgAsync<HeartbeatResponse>()).ErrorCode);
    }

    [Fact]
    public async Task A_dynamic_member_whose_actor_stops_must_be_removed_and_the_survivor_must_get_every_partition()
    {
        var coordinator = await StartCoordinatorAsync();
        var (a, _, b, bJoined) = await TwoMemberGroupAsync(coordinator, "g4");

        Sys.Stop(a.Ref);
        await AwaitAssertAsync(async () =>
        {
            coordinator.Tell(Heartbeat("g4", bJoined), b.Ref);
            Assert.Equal((int)ErrorCode.RebalanceInProgress, (await b.ExpectMsgAsync<HeartbeatResponse>()).ErrorCode);
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));

        coordinator.Tell(Join("g4", bJoined.MemberId, "b"), b.Ref);
        var rejoined = await b.ExpectMsgAsync<JoinGroupResponse>();
        Assert.Equal((0, 3, bJoined.MemberId), (rejoined.ErrorCode, rejoined.GenerationId, rejoined.LeaderId));
        Assert.Equal(Enumerable.Range(0, Partitions), rejoined.Assignment.Select(p => p.Partition).Order());

        coordinator.Tell(new DescribeGroupRequest { GroupId = "g4" }, TestActor);
        Assert.Equal(bJoined.MemberId, Assert.Single((await ExpectMsgAsync<DescribeGroupResponse>()).Members).MemberId);
    }

    [Fact]
    public async Task A_commit_from_a_stale_generation_must_be_rejected_with_ILLEGAL_GENERATION()
    {
        var coordinator = await StartCoordinatorAsync();
        var (a, aJoined, _, _) = await TwoMemberGroupAsync(coordinator, "g5");

        coordinator.Tell(Commit("g5", aJoined, generation: 1, (aJoined.Assignment[0].Partition, 5)), a.Ref);
        var rejected = await a.ExpectMsgAsync<OffsetCommitResponse>();
        Assert.Equal((int)ErrorCode.IllegalGeneration, Assert.Single(rejected.Partitions).ErrorCode);

        coordinator.Tell(new OffsetFetchRequest { GroupId = "g5" }, TestActor);
        Assert.Empty((await ExpectMsgAsync<OffsetFetchResponse>()).Partitions);
    }

    /// <summary>Classic protocol: A (leader) and B reach generation 2 in CompletingRebalance; B syncs first and is parked.</summary>
    private async Task<(TestProbe A, JoinGroupResponse AJoined, TestProbe B, JoinGroupResponse BJoined)> ClassicGroupWithParkedFollowerAsync(IActorRef coordinator, string group)
    {
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        var join = Join(group, clientId: "a");
        join.Classic = true;
        coordinator.Tell(join, a.Ref);
        var first = await a.ExpectMsgAsync<JoinGroupResponse>();
        Assert.Equal((0, 1, first.MemberId), (first.ErrorCode, first.GenerationId, first.LeaderId));
        coordinator.Tell(new SyncGroupRequest { GroupId = group, MemberId = first.MemberId, GenerationId = 1, Assignments = { new MemberPartitions { MemberId = first.MemberId, Partitions = { Enumerable.Range(0, Partitions).Select(p => new GroupPartition { Topic = Topic, Partition = p }) } } } }, a.Ref);
        Assert.Equal(Partitions, (await a.ExpectMsgAsync<SyncGroupResponse>()).Assignment.Count);

        var joinB = Join(group, clientId: "b");
        joinB.Classic = true;
        coordinator.Tell(joinB, b.Ref);
        var rejoin = Join(group, first.MemberId, "a");
        rejoin.Classic = true;
        coordinator.Tell(rejoin, a.Ref);
        var aJoined = await a.ExpectMsgAsync<JoinGroupResponse>();
        var bJoined = await b.ExpectMsgAsync<JoinGroupResponse>();
        Assert.Equal((2, 2, 2), (aJoined.GenerationId, bJoined.GenerationId, aJoined.Members.Count));
        Assert.Empty(bJoined.Members);

        coordinator.Tell(new SyncGroupRequest { GroupId = group, MemberId = bJoined.MemberId, GenerationId = 2 }, b.Ref);
        await b.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        return (a, aJoined, b, bJoined);
    }

    [Fact]
    public async Task A_classic_follower_parked_in_SyncGroup_must_get_the_assignment_the_leader_sends()
    {
        var coordinator = await StartCoordinatorAsync();
        var (a, aJoined, b, bJoined) = await ClassicGroupWithParkedFollowerAsync(coordinator, "c1");

        var sync = new SyncGroupRequest { GroupId = "c1", MemberId = aJoined.MemberId, GenerationId = 2 };
        sync.Assignments.Add(new MemberPartitions { MemberId = aJoined.MemberId, Partitions = { new GroupPartition { Topic = Topic, Partition = 0 }, new GroupPartition { Topic = Topic, Partition = 1 } } });
        sync.Assignments.Add(new MemberPartitions { MemberId = bJoined.MemberId, Partitions = { new GroupPartition { Topic = Topic, Partition = 2 }, new GroupPartition { Topic = Topic, Partition = 3 } } });
        coordinator.Tell(sync, a.Ref);

        Assert.Equal([0, 1], (await a.ExpectMsgAsync<SyncGroupResponse>()).Assignment.Select(p => p.Partition));
        var follower = await b.ExpectMsgAsync<SyncGroupResponse>();
        Assert.Equal(0, follower.ErrorCode);
        Assert.Equal([2, 3], follower.Assignment.Select(p => p.Partition));
    }

    [Fact]
    public async Task A_classic_follower_parked_in_SyncGroup_must_get_REBALANCE_IN_PROGRESS_when_a_rebalance_starts()
    {
        var coordinator = await StartCoordinatorAsync();
        var (_, _, b, _) = await ClassicGroupWithParkedFollowerAsync(coordinator, "c2");

        var joinC = Join("c2", clientId: "c");
        joinC.Classic = true;
        coordinator.Tell(joinC, CreateTestProbe().Ref);

        Assert.Equal((int)ErrorCode.RebalanceInProgress, (await b.ExpectMsgAsync<SyncGroupResponse>()).ErrorCode);
    }
}
