using ActorStream.Broker.Group;
using Google.Protobuf;
using static ActorStream.Broker.Tests.Group.GroupCoordinatorContext;
using P = ActorStream.Protocol.Group;

namespace ActorStream.Broker.Tests.Group;

/// <summary>
/// Journals written before Kafka-protocol groups (issue 13) must recover into the same groups: the events and snapshots
/// below are built with the field set of that time only (what the old mapping wrote), serialized, parsed and replayed.
/// And native and classic groups must still be written exactly as before: none of the new fields is ever set for them.
/// </summary>
public sealed class GroupJournalCompatibilitySpec
{
    private readonly GroupCoordinatorContext _ctx = new();

    public GroupJournalCompatibilitySpec() => _ctx.Topic("t", 4);

    private static T Reparse<T>(T message)
        where T : IMessage<T>, new() => new MessageParser<T>(() => new T()).ParseFrom(message.ToByteArray());

    private static P.GroupPartition Gp(string topic, int partition) => new() { Topic = topic, Partition = partition };

    /// <summary>The journal of a native group (c1 joins, gets t-0..3, commits t-0=5) and a classic one, with the old fields only.</summary>
    private static IMessage[] OldJournal() =>
    [
        new P.GroupCreatedEvent { GroupId = "n", TimestampMs = 1_000_000 },
        new P.RebalanceStartedEvent { GroupId = "n", Reason = "member client-m1 joined", TimestampMs = 1_000_000 },
        new P.MemberJoinedEvent
        {
            GroupId = "n", MemberId = "client-m1", ClientId = "client", Mode = 0, Protocols = { "range" }, Topics = { "t" },
            SessionTimeoutMs = 10_000, RebalanceTimeoutMs = 30_000, TimestampMs = 1_000_000, GroupInstanceId = "i-1",
        },
        new P.GenerationCompletedEvent
        {
            GroupId = "n", GenerationId = 1, ProtocolName = "range", LeaderId = "client-m1", TimestampMs = 1_000_000,
            Assignments = { new P.MemberPartitions { MemberId = "client-m1", Partitions = { Gp("t", 0), Gp("t", 1), Gp("t", 2), Gp("t", 3) } } },
        },
        new P.OffsetsCommittedEvent
        {
            GroupId = "n", TimestampMs = 1_000_500,
            Offsets = { new P.OffsetCommitPartition { Topic = "t", Partition = 0, Offset = 5, Metadata = "m" } },
        },
        new P.StaticMemberReplacedEvent
        {
            GroupId = "n", OldMemberId = "client-m1", NewMemberId = "client-m2", GroupInstanceId = "i-1", ClientId = "client",
            SessionTimeoutMs = 10_000, RebalanceTimeoutMs = 30_000, TimestampMs = 1_000_600,
        },
        new P.GroupCreatedEvent { GroupId = "c", TimestampMs = 1_000_700 },
        new P.RebalanceStartedEvent { GroupId = "c", Reason = "member cx-m3 joined", TimestampMs = 1_000_700 },
        new P.MemberJoinedEvent
        {
            GroupId = "c", MemberId = "cx-m3", ClientId = "cx", Mode = 1, Protocols = { "range" }, Topics = { "t" },
            SessionTimeoutMs = 10_000, RebalanceTimeoutMs = 30_000, TimestampMs = 1_000_700,
        },
        new P.GenerationCompletedEvent { GroupId = "c", GenerationId = 1, ProtocolName = "range", LeaderId = "cx-m3", TimestampMs = 1_000_700 },
        new P.AssignmentSyncedEvent
        {
            GroupId = "c", GenerationId = 1, TimestampMs = 1_000_800,
            Assignments = { new P.MemberPartitions { MemberId = "cx-m3", Partitions = { Gp("t", 1) } } },
        },
    ];

    private static GroupCoordinatorShard Recover(IEnumerable<IMessage> journal)
    {
        var shard = new GroupCoordinatorShard();
        foreach (var message in journal)
        {
            shard.Apply(GroupMessageMapping.ToEvent(message.Descriptor.Parser.ParseFrom(message.ToByteArray()))!);
        }

        return shard;
    }

    [Fact]
    public void Events_written_before_Kafka_mode_must_recover_into_the_same_groups()
    {
        var shard = Recover(OldJournal());

        var native = shard.Find("n")!;
        Assert.Equal(GroupProtocolMode.Native, native.Mode);
        Assert.Null(native.ProtocolType);
        Assert.Equal(GroupState.Stable, native.State);
        var member = Assert.Single(native.Members.Values);
        Assert.Equal("client-m2", member.MemberId);
        Assert.Equal<string>(["range"], member.Protocols);
        Assert.Equal<string>(["t"], member.Topics);
        Assert.Equal(4, member.Assignment.Length);
        Assert.Empty(member.ProtocolMetadata);
        Assert.Equal("", member.ClientHost);
        Assert.Equal(ByteString.Empty, member.KafkaAssignment);
        Assert.Equal(5, native.Offsets[Tp("t", 0)].Offset);

        var classic = shard.Find("c")!;
        Assert.Equal(GroupProtocolMode.Classic, classic.Mode);
        Assert.Equal(GroupState.Stable, classic.State);
        Assert.Equal<GroupTopicPartition>([Tp("t", 1)], classic.Members["cx-m3"].Assignment);
    }

    [Fact]
    public void A_snapshot_written_before_Kafka_mode_must_restore_the_same_groups()
    {
        var old = new P.GroupCoordinatorSnapshot
        {
            Groups =
            {
                new P.GroupSnapshot { GroupId = "e", State = (int)GroupState.Empty, StateTimestampMs = 1_000_000, Mode = -1, GenerationId = 2 },
                new P.GroupSnapshot
                {
                    GroupId = "n", State = (int)GroupState.Stable, StateTimestampMs = 1_000_000, Mode = 0, GenerationId = 3,
                    ProtocolName = "range", LeaderId = "client-m1",
                    Members =
                    {
                        new P.MemberSnapshot
                        {
                            MemberId = "client-m1", ClientId = "client", Protocols = { "range" }, Topics = { "t" }, SessionTimeoutMs = 10_000,
                            RebalanceTimeoutMs = 30_000, Assignment = { Gp("t", 0), Gp("t", 1) }, GroupInstanceId = "i-1",
                        },
                    },
                    Offsets = { new P.CommittedOffsetSnapshot { Topic = "t", Partition = 0, Offset = 7, CommitTimestampMs = 1_000_000 } },
                },
            },
        };

        var shard = new GroupCoordinatorShard();
        shard.Restore(GroupMessageMapping.FromSnapshot(Reparse(old)));

        var native = shard.Find("n")!;
        Assert.Equal(GroupProtocolMode.Native, native.Mode);
        Assert.Null(native.ProtocolType);
        Assert.Equal(3, native.GenerationId);
        var member = Assert.Single(native.Members.Values);
        Assert.Equal("i-1", member.GroupInstanceId);
        Assert.Equal<GroupTopicPartition>([Tp("t", 0), Tp("t", 1)], member.Assignment);
        Assert.Empty(member.ProtocolMetadata);
        Assert.Equal(ByteString.Empty, member.KafkaAssignment);
        Assert.Equal(7, native.Offsets[Tp("t", 0)].Offset);
        Assert.Null(shard.Find("e")!.Mode);

        // Written again, the snapshot is byte for byte what the old code wrote.
        Assert.Equal(old.ToByteArray(), GroupMessageMapping.ToSnapshot(shard.Groups.Values).ToByteArray());
    }

    [Fact]
    public void Native_and_classic_groups_must_be_journaled_exactly_as_before()
    {
        // The same history, live (the context's member ids are client-m1, client-m2, cx-m3): byte for byte the old events.
        var a = _ctx.Join("n", ["t"], instanceId: "i-1");
        _ctx.Advance(500);
        _ctx.Commit("n", a.MemberId, 1, new OffsetCommitPartition("t", 0, 5, "m"));
        _ctx.Advance(100);
        _ctx.Join("n", ["t"], instanceId: "i-1");
        _ctx.Advance(100);
        var x = _ctx.Join("c", ["t"], mode: GroupProtocolMode.Classic, clientId: "cx");
        _ctx.Advance(100);
        _ctx.Sync("c", x.MemberId, 1, new MemberAssignment(x.MemberId, [Tp("t", 1)]));

        var old = OldJournal();
        Assert.Equal(old.Length, _ctx.Journal.Count);
        for (var i = 0; i < old.Length; i++)
        {
            var live = _ctx.Journal[i].ToProto();
            Assert.Equal(JsonFormatter.Default.Format(old[i]), JsonFormatter.Default.Format(live));
            Assert.Equal(old[i].ToByteArray(), live.ToByteArray());
        }
    }
}
