using System.Collections.Immutable;
using System.Text;
using ActorStream.Broker.Group;
using ActorStream.Protocol;
using Google.Protobuf;

namespace ActorStream.Broker.Tests.Group;

/// <summary>
/// Drives a <see cref="GroupCoordinatorShard"/> the way the group actor will: handle a command, apply (and journal) every
/// returned event, answer. Time is a fake clock moved with <see cref="Advance"/>; member ids are deterministic.
/// </summary>
public sealed class GroupCoordinatorContext
{
    public const int SessionTimeoutMs = 10_000;
    public const int RebalanceTimeoutMs = 30_000;

    private int _nextMemberId;

    public GroupCoordinatorContext(GroupCoordinatorConfig? config = null) =>
        Shard = new GroupCoordinatorShard(config, clientId => $"{clientId}-m{++_nextMemberId}");

    public GroupCoordinatorShard Shard { get; }

    public long NowMs { get; private set; } = 1_000_000;

    /// <summary>Every event applied so far, in order: what the actor would have persisted.</summary>
    public List<IGroupEvent> Journal { get; } = [];

    /// <summary>The events of the last command.</summary>
    public ImmutableArray<IGroupEvent> LastEvents { get; private set; } = [];

    /// <summary>Called with the events of every command once they are applied (the actor would answer parked requests here).</summary>
    public event Action<ImmutableArray<IGroupEvent>>? Applied;

    public static GroupTopicPartition Tp(string topic, int partition) => new(topic, partition);

    public void Advance(long ms) => NowMs += ms;

    public T Run<T>(CoordinatorResult<T> result)
    {
        foreach (var e in result.Events)
        {
            Shard.Apply(e);
            Journal.Add(e);
        }

        LastEvents = result.Events;
        Applied?.Invoke(result.Events);
        return result.Response;
    }

    public TopicMetadataChangedResponse Topic(string topic, int partitions) =>
        Run(Shard.Handle(new TopicMetadataChanged(topic, partitions, NowMs)));

    public JoinGroupResponse Join(
        string group,
        string[] topics,
        string assignor = "range",
        string memberId = "",
        string? instanceId = null,
        string clientId = "client",
        IEnumerable<GroupTopicPartition>? owned = null,
        GroupProtocolMode mode = GroupProtocolMode.Native,
        string[]? protocols = null,
        int sessionTimeoutMs = SessionTimeoutMs,
        int rebalanceTimeoutMs = RebalanceTimeoutMs,
        string? topicPattern = null,
        bool noWait = false) =>
        Run(Shard.Handle(new JoinGroup(
            group,
            memberId,
            instanceId,
            clientId,
            mode,
            protocols is null ? [assignor] : [.. protocols],
            [.. topics],
            topicPattern,
            owned is null ? [] : [.. owned],
            sessionTimeoutMs,
            rebalanceTimeoutMs,
            NowMs) { NoWait = noWait }));

    /// <summary>Bytes standing for a Kafka client's opaque metadata or assignment.</summary>
    public static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    /// <summary>
    /// A Kafka client's JoinGroup as the gateway sends it (mode Kafka): <paramref name="protocols"/> are names with their metadata
    /// (default: "range" with metadata "range:{clientId}"), <paramref name="topics"/> what the gateway decoded.
    /// </summary>
    public JoinGroupResponse JoinKafka(
        string group,
        string memberId = "",
        string? instanceId = null,
        string clientId = "client",
        (string Name, string Metadata)[]? protocols = null,
        string protocolType = "consumer",
        string[]? topics = null,
        bool requireKnownMemberId = false,
        bool noWait = false,
        string clientHost = "/127.0.0.1",
        int sessionTimeoutMs = SessionTimeoutMs,
        int rebalanceTimeoutMs = RebalanceTimeoutMs)
    {
        var metadata = (protocols ?? [("range", $"range:{clientId}")]).Select(p => new GroupProtocolMetadata(p.Name, Bytes(p.Metadata))).ToImmutableArray();
        return Run(Shard.Handle(new JoinGroup(
            group,
            memberId,
            instanceId,
            clientId,
            GroupProtocolMode.Kafka,
            [.. metadata.Select(p => p.Name)],
            [.. topics ?? ["t"]],
            null,
            [],
            sessionTimeoutMs,
            rebalanceTimeoutMs,
            NowMs)
        {
            ProtocolType = protocolType,
            ProtocolMetadata = metadata,
            ClientHost = clientHost,
            RequireKnownMemberId = requireKnownMemberId,
            NoWait = noWait,
        }));
    }

    /// <summary>A Kafka member's SyncGroup: the leader sends (member, bytes, decoded partitions) per member; followers send none.</summary>
    public SyncGroupResponse SyncKafka(string group, string memberId, int generation, params (string MemberId, string Bytes, GroupTopicPartition[] Partitions)[] assignments) =>
        SyncKafkaAs(group, memberId, generation, null, null, null, assignments);

    public SyncGroupResponse SyncKafkaAs(
        string group,
        string memberId,
        int generation,
        string? protocolType,
        string? protocolName,
        string? instanceId,
        params (string MemberId, string Bytes, GroupTopicPartition[] Partitions)[] assignments) =>
        Run(Shard.Handle(new SyncGroup(
            group,
            memberId,
            instanceId,
            generation,
            [.. assignments.Select(a => new MemberAssignment(a.MemberId, [.. a.Partitions]))],
            NowMs)
        {
            KafkaAssignments = [.. assignments.Select(a => new KafkaMemberAssignment(a.MemberId, Bytes(a.Bytes)))],
            ProtocolType = protocolType,
            ProtocolName = protocolName,
        }));

    public HeartbeatResponse Heartbeat(string group, string memberId, int generation, string? instanceId = null) =>
        Run(Shard.Handle(new Heartbeat(group, memberId, instanceId, generation, NowMs)));

    public SyncGroupResponse Sync(string group, string memberId, int generation, params MemberAssignment[] assignments) =>
        Run(Shard.Handle(new SyncGroup(group, memberId, null, generation, [.. assignments], NowMs)));

    public LeaveGroupResponse Leave(string group, string memberId, string? instanceId = null) =>
        Run(Shard.Handle(new LeaveGroup(group, memberId, instanceId, NowMs)));

    public CommitOffsetsResponse Commit(string group, string memberId, int generation, params OffsetCommitPartition[] offsets) =>
        Run(Shard.Handle(new CommitOffsets(group, memberId, null, generation, [.. offsets], NowMs)));

    public ErrorCode CommitOne(string group, string memberId, int generation, string topic, int partition, long offset) =>
        Assert.Single(Commit(group, memberId, generation, new OffsetCommitPartition(topic, partition, offset)).Partitions).Error;

    public FetchOffsetsResponse Fetch(string group, params GroupTopicPartition[] partitions) =>
        Run(Shard.Handle(new FetchOffsets(group, [.. partitions])));

    public ResetOffsetsResponse Reset(string group, params OffsetCommitPartition[] offsets) =>
        Run(Shard.Handle(new ResetOffsets(group, [.. offsets], NowMs)));

    public ExpireOffsetsResponse ExpireOffsets() => Run(Shard.Handle(new ExpireOffsets(NowMs)));

    public MemberExpiredResponse Expire(string group, string memberId) =>
        Run(Shard.Handle(new MemberExpired(group, memberId, NowMs)));

    /// <summary>Fires every member's session timer, as the actor's timers would; only really expired members are removed.</summary>
    public IReadOnlyList<string> ExpireDueMembers(string group)
    {
        var expired = new List<string>();
        foreach (var memberId in Shard.Find(group)?.Members.Keys.Order(StringComparer.Ordinal).ToList() ?? [])
        {
            if (Expire(group, memberId).Expired)
            {
                expired.Add(memberId);
            }
        }

        return expired;
    }

    public RebalanceTimeoutResponse RebalanceTimeout(string group) =>
        Run(Shard.Handle(new RebalanceTimeoutExpired(group, NowMs)));

    public DeleteGroupResponse Delete(string group) => Run(Shard.Handle(new DeleteGroup(group, NowMs)));

    public ListGroupsResponse List(params GroupState[] states) => Run(Shard.Handle(new ListGroups([.. states])));

    public DescribeGroupResponse TryDescribe(string group) => Run(Shard.Handle(new DescribeGroup(group)));

    public GroupDescription Describe(string group)
    {
        var response = TryDescribe(group);
        Assert.Equal(ErrorCode.None, response.Error);
        return response.Group!;
    }

    public ImmutableArray<GroupTopicPartition> AssignmentOf(string group, string memberId) =>
        Describe(group).Members.Single(m => m.MemberId == memberId).Assignment;

    /// <summary>A fresh shard rebuilt from the journal alone, as recovery would.</summary>
    public GroupCoordinatorShard Replay()
    {
        var shard = new GroupCoordinatorShard(Shard.Config);
        foreach (var e in Journal)
        {
            shard.Apply(e);
        }

        return shard;
    }

    /// <summary>A description as text, every collection spelled out (records compare ImmutableArray by reference).</summary>
    public static string Canonical(GroupDescription d)
    {
        var text = new StringBuilder()
            .Append($"{d.GroupId} {d.State} {d.Mode} gen={d.GenerationId} protocol={d.ProtocolName} leader={d.LeaderId} type={d.ProtocolType}\n");
        foreach (var m in d.Members)
        {
            text.Append($"  member {m.MemberId} instance={m.GroupInstanceId} client={m.ClientId} topics=[{string.Join(",", m.Topics)}] pattern={m.TopicPattern} ")
                .Append($"assigned=[{string.Join(",", m.Assignment)}] revoking=[{string.Join(",", m.PendingRevocation)}] ")
                .Append($"host={m.ClientHost} metadata={m.Metadata.ToBase64()} bytes={m.KafkaAssignment.ToBase64()}\n");
        }

        foreach (var o in d.Offsets)
        {
            text.Append($"  offset {o.Topic}-{o.Partition}={o.Offset} '{o.Metadata}' at {o.CommitTimestampMs}\n");
        }

        return text.ToString();
    }
}
