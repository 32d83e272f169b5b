using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Group;
using Google.Protobuf;
using GroupCoordinator = ActorStream.Broker.Group.GroupCoordinator;
using GroupCoordinatorConfig = ActorStream.Broker.Group.GroupCoordinatorConfig;

namespace ActorStream.Broker.Tests.Group;

/// <summary>
/// The coordinator actor with Kafka-protocol members, as the gateway asks it (temporary Ask actors, never watched): the
/// protobuf contract end to end, parked replies, the initial rebalance delay timer, recovery of the opaque bytes.
/// </summary>
public sealed class GroupCoordinatorKafkaSpec : Akka.TestKit.Xunit2.TestKit
{
    private const string Topic = "orders";

    private readonly TestProbe _controller;
    private int _nextMemberId;

    public GroupCoordinatorKafkaSpec()
        : base(ConfigurationFactory.ParseString("""
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            akka.loglevel = WARNING
            """).WithFallback(ProtocolConfig.Default))
    {
        _controller = CreateTestProbe("controller");
    }

    private async Task<IActorRef> StartCoordinatorAsync(GroupCoordinatorConfig? config = null, int snapshotEvery = 1000)
    {
        var coordinator = Sys.ActorOf(GroupCoordinator.Props(
            config ?? GroupCoordinatorConfig.Default,
            _controller.Ref,
            subscribeToMetadata: false,
            TimeProvider.System,
            snapshotEvery,
            memberIdFactory: clientId => $"{clientId}-m{Interlocked.Increment(ref _nextMemberId)}"));
        await _controller.ExpectMsgAsync<GetMetadataSnapshot>();
        var topic = new TopicState { Name = Topic, TopicId = "0123456789abcdef0123456789abcdef", ReplicationFactor = 1 };
        for (var p = 0; p < 4; p++)
        {
            topic.Partitions.Add(new PartitionAssignment { Partition = p, Replicas = { 0 }, Isr = { 0 }, LeaderId = 0, LeaderEpoch = 0 });
        }

        _controller.Reply(new MetadataSnapshot { Version = 1, Topics = { topic } });
        return coordinator;
    }

    private static JoinGroupRequest KafkaJoin(string group, string clientId, string memberId = "") => new()
    {
        GroupId = group,
        MemberId = memberId,
        ClientId = clientId,
        SessionTimeoutMs = 10_000,
        RebalanceTimeoutMs = 30_000,
        Kafka = true,
        ProtocolType = "consumer",
        Protocols = { new GroupProtocol { Name = "range", Metadata = ByteString.CopyFromUtf8("meta-" + clientId) } },
        Topics = { Topic },
        ClientHost = "/127.0.0.1",
        RequireKnownMemberId = true,
        Reason = "test",
    };

    /// <summary>MEMBER_ID_REQUIRED, then the join with the id (parked or answered: the task completes with the reply).</summary>
    private async Task<Task<JoinGroupResponse>> JoinWithRequiredIdAsync(IActorRef coordinator, string group, string clientId)
    {
        var required = await coordinator.Ask<JoinGroupResponse>(KafkaJoin(group, clientId), TimeSpan.FromSeconds(10));
        Assert.Equal((int)ErrorCode.MemberIdRequired, required.ErrorCode);
        return coordinator.Ask<JoinGroupResponse>(KafkaJoin(group, clientId, required.MemberId), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Kafka_members_must_get_the_leaders_bytes_and_the_group_must_recover_them()
    {
        var coordinator = await StartCoordinatorAsync(snapshotEvery: 4);
        var a = await await JoinWithRequiredIdAsync(coordinator, "k", "a");
        Assert.Equal((0, 1, "consumer"), (a.ErrorCode, a.GenerationId, a.ProtocolType));
        await coordinator.Ask<SyncGroupResponse>(
            new SyncGroupRequest { GroupId = "k", MemberId = a.MemberId, GenerationId = 1, KafkaAssignments = { new MemberAssignmentBytes { MemberId = a.MemberId } } },
            TimeSpan.FromSeconds(10));

        var bJoin = await JoinWithRequiredIdAsync(coordinator, "k", "b");
        var leader = await coordinator.Ask<JoinGroupResponse>(KafkaJoin("k", "a", a.MemberId), TimeSpan.FromSeconds(10));
        var b = await bJoin;
        Assert.Equal((2, 2), (leader.GenerationId, b.GenerationId));
        Assert.Equal(["meta-a", "meta-b"], leader.Members.Select(m => m.Metadata.ToStringUtf8()).Order());
        Assert.Empty(b.Members);

        var followerSync = coordinator.Ask<SyncGroupResponse>(new SyncGroupRequest { GroupId = "k", MemberId = b.MemberId, GenerationId = 2 }, TimeSpan.FromSeconds(10));
        var leaderSync = await coordinator.Ask<SyncGroupResponse>(
            new SyncGroupRequest
            {
                GroupId = "k",
                MemberId = a.MemberId,
                GenerationId = 2,
                ProtocolType = "consumer",
                ProtocolName = "range",
                KafkaAssignments =
                {
                    new MemberAssignmentBytes { MemberId = a.MemberId, Assignment = ByteString.CopyFrom(1, 2), Partitions = { new GroupPartition { Topic = Topic, Partition = 0 } } },
                    new MemberAssignmentBytes { MemberId = b.MemberId, Assignment = ByteString.CopyFrom(3, 4), Partitions = { new GroupPartition { Topic = Topic, Partition = 1 } } },
                },
            },
            TimeSpan.FromSeconds(10));
        Assert.Equal(ByteString.CopyFrom(1, 2), leaderSync.KafkaAssignment);
        var follower = await followerSync;
        Assert.Equal((0, "consumer", "range"), (follower.ErrorCode, follower.ProtocolType, follower.ProtocolName));
        Assert.Equal(ByteString.CopyFrom(3, 4), follower.KafkaAssignment);

        await coordinator.Ask<OffsetCommitResponse>(
            new OffsetCommitRequest { GroupId = "k", MemberId = b.MemberId, GenerationId = 2, Offsets = { new OffsetCommitPartition { Topic = "gone", Partition = 0, Offset = 3 } } },
            TimeSpan.FromSeconds(10));
        var deleted = await coordinator.Ask<OffsetDeleteResponse>(
            new OffsetDeleteRequest { GroupId = "k", Partitions = { new GroupPartition { Topic = "gone", Partition = 0 }, new GroupPartition { Topic = Topic, Partition = 0 } } },
            TimeSpan.FromSeconds(10));
        Assert.Equal([(int)ErrorCode.None, (int)ErrorCode.GroupSubscribedToTopic], deleted.Partitions.Select(p => p.ErrorCode));

        await WatchAsync(coordinator);
        coordinator.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(coordinator);
        var restarted = await StartCoordinatorAsync(snapshotEvery: 4);

        var listed = Assert.Single((await restarted.Ask<ListGroupsResponse>(new ListGroupsRequest(), TimeSpan.FromSeconds(10))).Groups);
        Assert.Equal(("k", "Stable", "kafka", "consumer"), (listed.GroupId, listed.State, listed.ProtocolType, listed.KafkaProtocolType));
        var described = await restarted.Ask<DescribeGroupResponse>(new DescribeGroupRequest { GroupId = "k" }, TimeSpan.FromSeconds(10));
        Assert.Equal(("kafka", "consumer", 2, "range"), (described.ProtocolType, described.KafkaProtocolType, described.GenerationId, described.ProtocolName));
        var member = described.Members.Single(m => m.MemberId == b.MemberId);
        Assert.Equal(("/127.0.0.1", "meta-b", 1), (member.ClientHost, member.Metadata.ToStringUtf8(), Assert.Single(member.Assignment).Partition));
        Assert.Equal(ByteString.CopyFrom(3, 4), member.KafkaAssignment);
        Assert.Empty(described.Offsets);

        var again = await restarted.Ask<SyncGroupResponse>(new SyncGroupRequest { GroupId = "k", MemberId = b.MemberId, GenerationId = 2 }, TimeSpan.FromSeconds(10));
        Assert.Equal(ByteString.CopyFrom(3, 4), again.KafkaAssignment);
    }

    [Fact]
    public async Task Members_joining_an_Empty_group_together_must_share_its_first_generation_after_the_initial_delay()
    {
        var coordinator = await StartCoordinatorAsync(GroupCoordinatorConfig.Default with { InitialRebalanceDelayMs = 1_500 });

        var a = await JoinWithRequiredIdAsync(coordinator, "d", "a");
        var b = await JoinWithRequiredIdAsync(coordinator, "d", "b");
        var joined = await Task.WhenAll(a, b);

        Assert.All(joined, j => Assert.Equal((0, 1), (j.ErrorCode, j.GenerationId)));
        Assert.Equal(2, joined.Single(j => j.MemberId == j.LeaderId).Members.Count);
    }
}
