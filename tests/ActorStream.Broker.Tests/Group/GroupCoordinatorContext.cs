using System.Collections.Immutable;
using System.Text;
using ActorStream.Broker.Group;
using ActorStream.Protocol;

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
        string? topicPattern = null) =>
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
            NowMs)));

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
            .Append($"{d.GroupId} {d.State} {d.Mode} gen={d.GenerationId} protocol={d.ProtocolName} leader={d.LeaderId}\n");
        foreach (var m in d.Members)
        {
            text.Append($"  member {m.MemberId} instance={m.GroupInstanceId} client={m.ClientId} topics=[{string.Join(",", m.Topics)}] pattern={m.TopicPattern} ")
                .Append($"assigned=[{string.Join(",", m.Assignment)}] revoking=[{string.Join(",", m.PendingRevocation)}]\n");
        }

        foreach (var o in d.Offsets)
        {
            text.Append($"  offset {o.Topic}-{o.Partition}={o.Offset} '{o.Metadata}' at {o.CommitTimestampMs}\n");
        }

        return text.ToString();
    }
}
