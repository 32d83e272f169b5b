using System.Collections.Immutable;
using ActorStream.Broker.Group.Assignors;
using ActorStream.Protocol;

namespace ActorStream.Broker.Group;

/// <summary>
/// The pure group coordinator (Kafka's <c>GroupCoordinatorShard</c> + <c>GroupMetadataManager</c>, small): no actors, no
/// clock, no I/O. Each <c>Handle</c> returns a <see cref="CoordinatorResult{TResponse}"/> and leaves the shard unchanged;
/// journal state changes only in <see cref="Apply"/>, which the actor calls for every returned event once persisted
/// (<c>PersistAll(events, Apply)</c>) and recovery calls for every replayed event. Not thread-safe: one actor owns it.
/// <para>
/// Soft state, not journaled (like Kafka's coordinator timers and metadata image): each member's last heartbeat (restart
/// all sessions with <see cref="RestartSessions"/> after recovery) and the topics' partition counts (fed by
/// <see cref="TopicMetadataChanged"/>, re-sent by the actor after recovery) and the compiled topic patterns. Handlers update
/// soft state directly.
/// </para>
/// <para>Rules that differ from or refine Kafka:</para>
/// <list type="bullet">
/// <item>Commits are accepted in Stable and PreparingRebalance from a member of the current generation (as Kafka: an eager
/// consumer commits in onPartitionsRevoked after the rebalance began and before rejoining), rejected with
/// REBALANCE_IN_PROGRESS in CompletingRebalance.</item>
/// <item>A native or classic member may only commit partitions it holds in the current generation (assigned, or pending
/// revocation and nobody else's); any other partition is rejected with ILLEGAL_GENERATION (the member's view of the
/// assignment is stale: it must rejoin). Kafka's classic coordinator does not check ownership, nor does Kafka mode.</item>
/// <item>Negative offsets are rejected with OFFSET_OUT_OF_RANGE; metadata longer than <c>offset.metadata.max.bytes</c> with
/// INVALID_COMMIT_OFFSET_SIZE (Kafka's OFFSET_METADATA_TOO_LARGE is not in <see cref="ErrorCode"/>).</item>
/// <item>MEMBER_ID_REQUIRED (Kafka's <c>require_known_member_id</c>) only when the member asks for it: the id is a pending
/// member (soft state, expires after the session timeout; not lost data if the coordinator moves: the client rejoins)
/// and, unlike Kafka, pending members do not hold up the round they would join.</item>
/// <item>The initial rebalance delay (<see cref="GroupCoordinatorConfig.InitialRebalanceDelayMs"/>) is soft state: a
/// coordinator recovered during it completes the round on the next join or at the rebalance timeout.</item>
/// <item>Kafka mode: commits are not checked for ownership, topic changes start no rebalance, FENCED_INSTANCE_ID where
/// Kafka answers it (native and classic groups keep UNKNOWN_MEMBER_ID, which the native client handles).</item>
/// <item>Regex subscriptions (native mode) use .NET regex syntax on the non-backtracking engine, not RE2J; they match only the
/// topics the shard knows from controller metadata, and a changed topic rebalances every group with a member whose explicit
/// topics or pattern cover it.</item>
/// </list>
/// </summary>
public sealed partial class GroupCoordinatorShard
{
    private readonly GroupCoordinatorConfig _config;
    private readonly Func<string, string> _newMemberId;
    private readonly Dictionary<string, ConsumerGroup> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _topicPartitions = new(StringComparer.Ordinal);
    private readonly Dictionary<(string GroupId, string MemberId), long> _lastHeartbeatMs = [];
    private readonly TopicPatternCache _topicPatterns = new();
    private readonly Dictionary<(string GroupId, string MemberId), long> _pendingMembers = [];
    private readonly Dictionary<string, InitialDelay> _initialDelays = new(StringComparer.Ordinal);

    /// <summary>The initial rebalance delay of an Empty group's first round: due at <see cref="DeadlineMs"/>, started at <see cref="StartMs"/>.</summary>
    private sealed record InitialDelay(long StartMs, long DeadlineMs, bool NewMemberAdded);

    /// <param name="config">Timeouts and retention; <see cref="GroupCoordinatorConfig.Default"/> when null.</param>
    /// <param name="memberIdFactory">Client id → new unique member id (Kafka: <c>clientId-uuid</c>); tests inject a deterministic one.</param>
    public GroupCoordinatorShard(GroupCoordinatorConfig? config = null, Func<string, string>? memberIdFactory = null)
    {
        _config = config ?? GroupCoordinatorConfig.Default;
        _newMemberId = memberIdFactory ?? (static clientId => $"{clientId}-{Guid.NewGuid():N}");
    }

    public GroupCoordinatorConfig Config => _config;

    public IReadOnlyDictionary<string, ConsumerGroup> Groups => _groups;

    /// <summary>Partition count per topic, as last told by <see cref="TopicMetadataChanged"/>.</summary>
    public IReadOnlyDictionary<string, int> TopicPartitions => _topicPartitions;

    public ConsumerGroup? Find(string groupId) => _groups.GetValueOrDefault(groupId);

    /// <summary>When the member was last heard of (join, heartbeat, sync, commit); null for an unknown member.</summary>
    public long? LastHeartbeatMs(string groupId, string memberId) =>
        _lastHeartbeatMs.TryGetValue((groupId, memberId), out var at) ? at : null;

    /// <summary>When the group's initial rebalance delay is due (the actor's timer), or null when it has none.</summary>
    public long? InitialRebalanceDelayDeadlineMs(string groupId) =>
        _initialDelays.TryGetValue(groupId, out var delay) ? delay.DeadlineMs : null;

    /// <summary>True when <paramref name="memberId"/> was handed out with MEMBER_ID_REQUIRED for the group and has not expired.</summary>
    public bool IsPendingMember(string groupId, string memberId, long nowMs) =>
        _pendingMembers.TryGetValue((groupId, memberId), out var expiresAt) && nowMs < expiresAt;

    private void AddPendingMember(string groupId, string memberId, long expiresAtMs, long nowMs)
    {
        foreach (var key in _pendingMembers.Where(p => p.Value <= nowMs).Select(p => p.Key).ToList())
        {
            _pendingMembers.Remove(key);
        }

        _pendingMembers[(groupId, memberId)] = expiresAtMs;
    }

    /// <summary>Applies one event, live or on recovery: the only way journal state changes.</summary>
    public void Apply(IGroupEvent e)
    {
        var group = ConsumerGroup.Evolve(_groups.GetValueOrDefault(e.GroupId), e);
        if (group is null)
        {
            _groups.Remove(e.GroupId);
        }
        else
        {
            _groups[e.GroupId] = group;
        }

        switch (e)
        {
            case MemberJoined joined:
                Touch(joined.GroupId, joined.MemberId, joined.TimestampMs);
                break;
            case StaticMemberReplaced replaced:
                _lastHeartbeatMs.Remove((replaced.GroupId, replaced.OldMemberId));
                Touch(replaced.GroupId, replaced.NewMemberId, replaced.TimestampMs);
                break;
            case GenerationCompleted or AssignmentSynced when group is not null:
                // A member answered at the end of a round (possibly after waiting parked) starts a fresh session, as in Kafka.
                foreach (var memberId in group.Members.Keys)
                {
                    Touch(group.GroupId, memberId, e.TimestampMs);
                }

                break;
            case MemberLeft left:
                _lastHeartbeatMs.Remove((left.GroupId, left.MemberId));
                break;
            case GroupDeleted deleted:
                _initialDelays.Remove(deleted.GroupId);
                foreach (var key in _lastHeartbeatMs.Keys.Where(k => string.Equals(k.GroupId, deleted.GroupId, StringComparison.Ordinal)).ToList())
                {
                    _lastHeartbeatMs.Remove(key);
                }

                break;
        }
    }

    /// <summary>After recovery (or a singleton hand-over) every member gets a full session from <paramref name="nowMs"/>, as Kafka reschedules heartbeats on load.</summary>
    public void RestartSessions(long nowMs)
    {
        _lastHeartbeatMs.Clear();
        foreach (var group in _groups.Values)
        {
            foreach (var memberId in group.Members.Keys)
            {
                _lastHeartbeatMs[(group.GroupId, memberId)] = nowMs;
            }
        }
    }

    /// <summary>
    /// The JoinGroup reply for a member whose join was parked (<see cref="JoinGroupResponse.Pending"/>): call it after applying a
    /// <see cref="GenerationCompleted"/>. Pending while the group is still preparing; UNKNOWN_MEMBER_ID if the member is gone.
    /// </summary>
    public JoinGroupResponse JoinResponseFor(string groupId, string memberId) =>
        _groups.TryGetValue(groupId, out var group)
            ? JoinResponse(group, memberId)
            : JoinGroupResponse.Failed(ErrorCode.UnknownMemberId, memberId);

    /// <summary>The SyncGroup reply for a parked classic follower: call it after applying <see cref="AssignmentSynced"/> or <see cref="RebalanceStarted"/>.</summary>
    public SyncGroupResponse SyncResponseFor(string groupId, string memberId)
    {
        if (!_groups.TryGetValue(groupId, out var group) || !group.Members.TryGetValue(memberId, out var member))
        {
            return SyncGroupResponse.Failed(ErrorCode.UnknownMemberId);
        }

        return group.State switch
        {
            GroupState.Stable => SyncResponse(group, member),
            GroupState.CompletingRebalance => new SyncGroupResponse(ErrorCode.None, true, []),
            _ => SyncGroupResponse.Failed(ErrorCode.RebalanceInProgress),
        };
    }

    public static GroupDescription Describe(ConsumerGroup group) => new(
        group.GroupId,
        group.State,
        group.Mode,
        group.GenerationId,
        group.ProtocolName,
        group.LeaderId,
        group.Members.Values.OrderBy(m => m.MemberId, StringComparer.Ordinal)
            .Select(m => new MemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.Topics, m.TopicPattern, m.Assignment, m.PendingRevocation)
            {
                ClientHost = m.ClientHost,
                Metadata = group.Mode == GroupProtocolMode.Kafka ? m.MetadataFor(group.ProtocolName) : Google.Protobuf.ByteString.Empty,
                KafkaAssignment = m.KafkaAssignment,
            })
            .ToImmutableArray(),
        group.Offsets.OrderBy(o => o.Key, GroupTopicPartition.Comparer)
            .Select(o => new OffsetDescription(o.Key.Topic, o.Key.Partition, o.Value.Offset, o.Value.Metadata, o.Value.CommitTimestampMs))
            .ToImmutableArray())
    {
        ProtocolType = group.ProtocolType,
    };

    public CoordinatorResult<ListGroupsResponse> Handle(ListGroups command) => NoEvents(new ListGroupsResponse(_groups.Values
        .Where(g => command.States.IsDefaultOrEmpty || command.States.Contains(g.State))
        .OrderBy(g => g.GroupId, StringComparer.Ordinal)
        .Select(g => new GroupListing(g.GroupId, g.State, g.Mode, g.ProtocolType))
        .ToImmutableArray()));

    public CoordinatorResult<DescribeGroupResponse> Handle(DescribeGroup command)
    {
        if (string.IsNullOrEmpty(command.GroupId))
        {
            return NoEvents(new DescribeGroupResponse(ErrorCode.InvalidGroupId, null));
        }

        return NoEvents(_groups.TryGetValue(command.GroupId, out var group)
            ? new DescribeGroupResponse(ErrorCode.None, Describe(group))
            : new DescribeGroupResponse(ErrorCode.GroupIdNotFound, null));
    }

    private static CoordinatorResult<T> NoEvents<T>(T response) => new([], response);

    private void Touch(string groupId, string memberId, long nowMs) =>
        _lastHeartbeatMs[(groupId, memberId)] = Math.Max(nowMs, _lastHeartbeatMs.GetValueOrDefault((groupId, memberId), long.MinValue));

    /// <summary>
    /// Kafka mode: FENCED_INSTANCE_ID, the <c>group.instance.id</c> belongs to a static member with another member id (a newer
    /// instance took it over). Native and classic groups answer UNKNOWN_MEMBER_ID instead, which the native client handles.
    /// </summary>
    private static bool IsFenced(ConsumerGroup group, string memberId, string? groupInstanceId) =>
        group.Mode == GroupProtocolMode.Kafka
        && groupInstanceId is not null
        && group.FindStaticMember(groupInstanceId) is { } holder
        && !string.Equals(holder.MemberId, memberId, StringComparison.Ordinal);

    private static bool SameInstance(GroupMember member, string? groupInstanceId) =>
        groupInstanceId is null || string.Equals(member.GroupInstanceId, groupInstanceId, StringComparison.Ordinal);

    private static bool IsKnownAssignor(string name) => PartitionAssignors.Find(name) is not null;
}
