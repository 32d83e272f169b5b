using System.Collections.Immutable;
using ActorStream.Broker.Group.Assignors;
using ActorStream.Protocol;

namespace ActorStream.Broker.Group;

/// <summary>Membership: join, sync, heartbeat, leave, session and rebalance timeouts, topic changes.</summary>
public sealed partial class GroupCoordinatorShard
{
    /// <summary>
    /// A new member (empty member id) joins: a static member whose <c>group.instance.id</c> is still in the group takes over
    /// its old member (Stable and unchanged subscription: same generation, same partitions, no rebalance); any other new member
    /// starts (or joins) a rebalance. A known member rejoining during a rebalance joins the round; in Stable or
    /// CompletingRebalance it starts a rebalance only if its subscription, protocols or owned partitions changed, it has
    /// partitions pending revocation (KIP-429's second rebalance), or it is a classic leader in Stable; otherwise it gets the
    /// current generation back.
    /// </summary>
    public CoordinatorResult<JoinGroupResponse> Handle(JoinGroup command)
    {
        var invalid = ValidateJoin(command);
        if (invalid != ErrorCode.None)
        {
            return NoEvents(JoinGroupResponse.Failed(invalid, command.MemberId));
        }

        var existing = Find(command.GroupId);
        var group = existing ?? ConsumerGroup.Create(command.GroupId, command.NowMs);
        var pendingMember = command.MemberId.Length != 0 && command.GroupInstanceId is null
            && !group.Members.ContainsKey(command.MemberId) && IsPendingMember(command.GroupId, command.MemberId, command.NowMs);
        if (existing is null && command.MemberId.Length != 0 && !pendingMember)
        {
            return NoEvents(JoinGroupResponse.Failed(ErrorCode.UnknownMemberId, command.MemberId));
        }

        if (!group.Members.IsEmpty && (group.Mode != command.Mode
            || (command.Mode == GroupProtocolMode.Kafka && !string.Equals(group.ProtocolType, command.ProtocolType, StringComparison.Ordinal))))
        {
            return NoEvents(JoinGroupResponse.Failed(ErrorCode.InconsistentGroupProtocol, command.MemberId));
        }

        var txn = new GroupTransaction(existing);
        if (command.MemberId.Length == 0 || pendingMember)
        {
            var previous = command.GroupInstanceId is null ? null : group.FindStaticMember(command.GroupInstanceId);
            if (!SupportsProtocols(group, command, previous?.MemberId))
            {
                return NoEvents(JoinGroupResponse.Failed(ErrorCode.InconsistentGroupProtocol, command.MemberId));
            }

            if (command.MemberId.Length == 0 && command.RequireKnownMemberId && command.GroupInstanceId is null)
            {
                // Kafka's MEMBER_ID_REQUIRED: the member learns its id first, so a retried JoinGroup cannot leave a ghost member.
                var requiredId = _newMemberId(command.ClientId);
                AddPendingMember(command.GroupId, requiredId, command.NowMs + command.SessionTimeoutMs, command.NowMs);
                return NoEvents(JoinGroupResponse.Failed(ErrorCode.MemberIdRequired, requiredId));
            }

            var memberId = pendingMember ? command.MemberId : _newMemberId(command.ClientId);
            _pendingMembers.Remove((command.GroupId, memberId));
            if (existing is null)
            {
                txn.Emit(new GroupCreated(command.GroupId, command.NowMs));
            }

            var skipAssignment = false;
            if (previous is not null)
            {
                skipAssignment = ReplaceStaticMember(txn, command, previous, memberId);
            }
            else
            {
                JoinRound(txn, command, memberId, $"member {memberId} joined");
            }

            var reply = JoinReply(txn, memberId, command.NoWait);
            return skipAssignment ? reply with { Response = reply.Response with { SkipAssignment = true } } : reply;
        }

        if (IsFenced(group, command.MemberId, command.GroupInstanceId))
        {
            return NoEvents(JoinGroupResponse.Failed(ErrorCode.FencedInstanceId, command.MemberId));
        }

        if (!group.Members.TryGetValue(command.MemberId, out var member) || !SameInstance(member, command.GroupInstanceId))
        {
            return NoEvents(JoinGroupResponse.Failed(ErrorCode.UnknownMemberId, command.MemberId));
        }

        if (!SupportsProtocols(group, command, member.MemberId))
        {
            return NoEvents(JoinGroupResponse.Failed(ErrorCode.InconsistentGroupProtocol, command.MemberId));
        }

        if (group.State == GroupState.PreparingRebalance || MustRebalance(group, member, command))
        {
            JoinRound(txn, command, member.MemberId, $"member {member.MemberId} rejoined");
        }
        else
        {
            Touch(command.GroupId, member.MemberId, command.NowMs);
        }

        return JoinReply(txn, member.MemberId, command.NoWait);
    }

    /// <summary>
    /// Classic mode: the leader's SyncGroup stores every member's assignment and makes the group Stable; a follower that syncs
    /// first is parked (<see cref="SyncGroupResponse.Pending"/>); in Stable any member gets its assignment back.
    /// </summary>
    public CoordinatorResult<SyncGroupResponse> Handle(SyncGroup command)
    {
        var (error, group, member) = ValidateMember(command.GroupId, command.MemberId, command.GroupInstanceId);
        if (error != ErrorCode.None)
        {
            return NoEvents(SyncGroupResponse.Failed(error));
        }

        Touch(group!.GroupId, member!.MemberId, command.NowMs);
        if (group.State == GroupState.PreparingRebalance)
        {
            return NoEvents(SyncGroupResponse.Failed(ErrorCode.RebalanceInProgress));
        }

        if (command.GenerationId != group.GenerationId)
        {
            return NoEvents(SyncGroupResponse.Failed(ErrorCode.IllegalGeneration));
        }

        if (group.Mode == GroupProtocolMode.Kafka
            && ((command.ProtocolType is { } type && !string.Equals(type, group.ProtocolType, StringComparison.Ordinal))
                || (command.ProtocolName is { } name && !string.Equals(name, group.ProtocolName, StringComparison.Ordinal))))
        {
            return NoEvents(SyncGroupResponse.Failed(ErrorCode.InconsistentGroupProtocol));
        }

        if (group.State == GroupState.Stable)
        {
            return NoEvents(SyncResponse(group, member));
        }

        if (!string.Equals(group.LeaderId, member.MemberId, StringComparison.Ordinal))
        {
            return NoEvents(new SyncGroupResponse(ErrorCode.None, true, []));
        }

        if (group.Mode == GroupProtocolMode.Kafka)
        {
            return SyncKafkaAssignments(group, member, command);
        }

        var given = (command.Assignments.IsDefault ? [] : command.Assignments)
            .Where(a => group.Members.ContainsKey(a.MemberId))
            .GroupBy(a => a.MemberId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(a => a.Partitions.IsDefault ? [] : a.Partitions), StringComparer.Ordinal);
        var assignments = group.Members.Keys.Order(StringComparer.Ordinal)
            .Select(id => new MemberAssignment(id, given.TryGetValue(id, out var partitions)
                ? partitions.Distinct().Order(GroupTopicPartition.Comparer).ToImmutableArray()
                : []))
            .ToImmutableArray();
        var pending = RevocationPlan.PendingRevocations(
            assignments, group.Members.Values.ToDictionary(m => m.MemberId, m => m.Assignment, StringComparer.Ordinal));
        var txn = new GroupTransaction(group);
        txn.Emit(new AssignmentSynced(group.GroupId, group.GenerationId, assignments, pending, command.NowMs));
        return new(txn.Events, new SyncGroupResponse(ErrorCode.None, false, txn.Current.Members[member.MemberId].Assignment));
    }

    /// <summary>
    /// Kafka mode, the leader's SyncGroup: every member's bytes stored as sent (a member the leader left out gets empty bytes,
    /// as in Kafka), the decoded partitions become the members' assignments (for describe and lag only: no ownership rules).
    /// </summary>
    private static CoordinatorResult<SyncGroupResponse> SyncKafkaAssignments(ConsumerGroup group, GroupMember leader, SyncGroup command)
    {
        var kafka = (command.KafkaAssignments.IsDefault ? [] : command.KafkaAssignments)
            .Where(a => group.Members.ContainsKey(a.MemberId))
            .GroupBy(a => a.MemberId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Assignment, StringComparer.Ordinal);
        var decoded = (command.Assignments.IsDefault ? [] : command.Assignments)
            .Where(a => kafka.ContainsKey(a.MemberId))
            .GroupBy(a => a.MemberId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(a => a.Partitions.IsDefault ? [] : a.Partitions), StringComparer.Ordinal);
        var ids = group.Members.Keys.Order(StringComparer.Ordinal).ToList();
        var assignments = ids
            .Select(id => new MemberAssignment(id, decoded.TryGetValue(id, out var partitions)
                ? partitions.Distinct().Order(GroupTopicPartition.Comparer).ToImmutableArray()
                : []))
            .ToImmutableArray();
        var bytes = ids.Select(id => new KafkaMemberAssignment(id, kafka.GetValueOrDefault(id, Google.Protobuf.ByteString.Empty))).ToImmutableArray();
        var txn = new GroupTransaction(group);
        txn.Emit(new AssignmentSynced(group.GroupId, group.GenerationId, assignments, [], command.NowMs) { KafkaAssignments = bytes });
        return new(txn.Events, SyncResponse(txn.Current, txn.Current.Members[leader.MemberId]));
    }

    /// <summary>A Stable group's SyncGroup reply for the member: its partitions, and in Kafka mode its bytes and the group's protocol.</summary>
    private static SyncGroupResponse SyncResponse(ConsumerGroup group, GroupMember member) =>
        group.Mode == GroupProtocolMode.Kafka
            ? new SyncGroupResponse(ErrorCode.None, false, member.Assignment)
            {
                KafkaAssignment = member.KafkaAssignment,
                ProtocolType = group.ProtocolType,
                ProtocolName = group.ProtocolName,
            }
            : new SyncGroupResponse(ErrorCode.None, false, member.Assignment);

    /// <summary>Refreshes the member's session. REBALANCE_IN_PROGRESS tells it to rejoin; a stale generation gets ILLEGAL_GENERATION.</summary>
    public CoordinatorResult<HeartbeatResponse> Handle(Heartbeat command)
    {
        var (error, group, member) = ValidateMember(command.GroupId, command.MemberId, command.GroupInstanceId);
        if (error != ErrorCode.None)
        {
            return NoEvents(new HeartbeatResponse(error));
        }

        Touch(group!.GroupId, member!.MemberId, command.NowMs);
        if (group.State == GroupState.PreparingRebalance)
        {
            return NoEvents(new HeartbeatResponse(ErrorCode.RebalanceInProgress));
        }

        return NoEvents(new HeartbeatResponse(command.GenerationId == group.GenerationId ? ErrorCode.None : ErrorCode.IllegalGeneration));
    }

    public CoordinatorResult<LeaveGroupResponse> Handle(LeaveGroup command)
    {
        if (string.IsNullOrEmpty(command.GroupId))
        {
            return NoEvents(new LeaveGroupResponse(ErrorCode.InvalidGroupId));
        }

        var group = Find(command.GroupId);
        if (group is not null && command.MemberId.Length != 0 && IsFenced(group, command.MemberId, command.GroupInstanceId))
        {
            return NoEvents(new LeaveGroupResponse(ErrorCode.FencedInstanceId));
        }

        var member = group is null ? null
            : command.MemberId.Length != 0 ? group.Members.GetValueOrDefault(command.MemberId)
            : command.GroupInstanceId is not null ? group.FindStaticMember(command.GroupInstanceId)
            : null;
        if (member is null || !SameInstance(member, command.GroupInstanceId))
        {
            return NoEvents(new LeaveGroupResponse(ErrorCode.UnknownMemberId));
        }

        var txn = new GroupTransaction(group);
        RemoveMember(txn, member.MemberId, MemberLeaveReason.Left, command.NowMs);
        return new(txn.Events, new LeaveGroupResponse(ErrorCode.None));
    }

    /// <summary>
    /// Removes the member if its session really expired: no heartbeat for <c>session.timeout.ms</c>, and it is not waiting on
    /// the coordinator (a member parked in JoinGroup, or any member while a classic group waits for the leader's SyncGroup, is
    /// kept alive; the rebalance timeout covers those). Otherwise the reply says when to check again.
    /// </summary>
    public CoordinatorResult<MemberExpiredResponse> Handle(MemberExpired command)
    {
        var group = Find(command.GroupId);
        if (group is null || !group.Members.TryGetValue(command.MemberId, out var member))
        {
            return NoEvents(new MemberExpiredResponse(ErrorCode.UnknownMemberId, false, -1));
        }

        var awaiting = group.State == GroupState.CompletingRebalance
            || (group.State == GroupState.PreparingRebalance && group.JoinedMembers.Contains(member.MemberId));
        if (awaiting)
        {
            return NoEvents(new MemberExpiredResponse(ErrorCode.None, false, command.NowMs + member.SessionTimeoutMs));
        }

        if (LastHeartbeatMs(group.GroupId, member.MemberId) is not { } last)
        {
            Touch(group.GroupId, member.MemberId, command.NowMs);
            last = command.NowMs;
        }

        var deadline = last + member.SessionTimeoutMs;
        if (command.NowMs < deadline)
        {
            return NoEvents(new MemberExpiredResponse(ErrorCode.None, false, deadline));
        }

        var txn = new GroupTransaction(group);
        RemoveMember(txn, member.MemberId, MemberLeaveReason.SessionExpired, command.NowMs);
        return new(txn.Events, new MemberExpiredResponse(ErrorCode.None, true, -1));
    }

    /// <summary>
    /// When the rebalance timeout (the largest member <c>rebalance.timeout.ms</c>, from the start of the state) has passed:
    /// in PreparingRebalance the members that did not rejoin are removed and the generation completes; in CompletingRebalance
    /// the leader that did not sync is removed and a new rebalance starts.
    /// </summary>
    public CoordinatorResult<RebalanceTimeoutResponse> Handle(RebalanceTimeoutExpired command)
    {
        var group = Find(command.GroupId);
        if (group is null || group.State is not (GroupState.PreparingRebalance or GroupState.CompletingRebalance))
        {
            return NoEvents(new RebalanceTimeoutResponse([], -1));
        }

        var deadline = group.StateTimestampMs + group.RebalanceTimeoutMs;
        if (command.NowMs < deadline)
        {
            return NoEvents(new RebalanceTimeoutResponse([], deadline));
        }

        var removed = group.State == GroupState.PreparingRebalance
            ? group.Members.Keys.Where(id => !group.JoinedMembers.Contains(id)).Order(StringComparer.Ordinal).ToImmutableArray()
            : group.LeaderId is { } leader ? [leader] : [];
        var txn = new GroupTransaction(group);
        _initialDelays.Remove(group.GroupId);
        foreach (var memberId in removed)
        {
            RemoveMember(txn, memberId, MemberLeaveReason.RebalanceTimedOut, command.NowMs);
        }

        TryCompleteRound(txn, command.NowMs);

        return new(txn.Events, new RebalanceTimeoutResponse(removed, -1));
    }

    /// <summary>
    /// Kafka's InitialDelayedJoin: when the delay is over and members joined during it, it is extended by the delay again
    /// (within the rebalance timeout since the round started); otherwise the round completes.
    /// </summary>
    public CoordinatorResult<InitialRebalanceDelayResponse> Handle(InitialRebalanceDelayExpired command)
    {
        if (!_initialDelays.TryGetValue(command.GroupId, out var delay))
        {
            return NoEvents(new InitialRebalanceDelayResponse(-1));
        }

        var group = Find(command.GroupId);
        if (group is null || group.State != GroupState.PreparingRebalance)
        {
            _initialDelays.Remove(command.GroupId);
            return NoEvents(new InitialRebalanceDelayResponse(-1));
        }

        if (command.NowMs < delay.DeadlineMs)
        {
            return NoEvents(new InitialRebalanceDelayResponse(delay.DeadlineMs));
        }

        var remaining = delay.StartMs + group.RebalanceTimeoutMs - command.NowMs;
        if (delay.NewMemberAdded && remaining > 0)
        {
            var next = delay with { DeadlineMs = command.NowMs + Math.Min(_config.InitialRebalanceDelayMs, remaining), NewMemberAdded = false };
            _initialDelays[command.GroupId] = next;
            return NoEvents(new InitialRebalanceDelayResponse(next.DeadlineMs));
        }

        _initialDelays.Remove(command.GroupId);
        var txn = new GroupTransaction(group);
        TryCompleteRound(txn, command.NowMs);
        return new(txn.Events, new InitialRebalanceDelayResponse(-1));
    }

    /// <summary>
    /// Records the topic's partition count (soft state) and starts a rebalance in every Stable or CompletingRebalance native
    /// or classic group with a member subscribed to it by name or by pattern (a new topic matching a pattern, or a deleted one, changes that
    /// member's subscription); a group already preparing uses the new count when its round completes.
    /// </summary>
    public CoordinatorResult<TopicMetadataChangedResponse> Handle(TopicMetadataChanged command)
    {
        var before = _topicPartitions.GetValueOrDefault(command.Topic);
        var after = Math.Max(0, command.PartitionCount);
        if (before == after)
        {
            return NoEvents(new TopicMetadataChangedResponse([]));
        }

        if (after == 0)
        {
            _topicPartitions.Remove(command.Topic);
        }
        else
        {
            _topicPartitions[command.Topic] = after;
        }

        var events = ImmutableArray.CreateBuilder<IGroupEvent>();
        var rebalancing = ImmutableArray.CreateBuilder<string>();
        foreach (var group in _groups.Values.OrderBy(g => g.GroupId, StringComparer.Ordinal))
        {
            // Kafka clients watch metadata themselves: their leader rejoins when a subscribed topic changes.
            if (group.Mode != GroupProtocolMode.Kafka
                && group.State is GroupState.Stable or GroupState.CompletingRebalance
                && group.Members.Values.Any(m => IsSubscribed(m, command.Topic)))
            {
                var txn = new GroupTransaction(group);
                txn.Emit(new RebalanceStarted(group.GroupId, $"topic {command.Topic} now has {after} partitions", command.NowMs));
                events.AddRange(txn.Events);
                rebalancing.Add(group.GroupId);
            }
        }

        return new(events.ToImmutable(), new TopicMetadataChangedResponse(rebalancing.ToImmutable()));
    }

    private ErrorCode ValidateJoin(JoinGroup command)
    {
        if (string.IsNullOrEmpty(command.GroupId))
        {
            return ErrorCode.InvalidGroupId;
        }

        if (command.SessionTimeoutMs < _config.MinSessionTimeoutMs || command.SessionTimeoutMs > _config.MaxSessionTimeoutMs)
        {
            return ErrorCode.InvalidSessionTimeout;
        }

        if (command.Protocols.IsDefaultOrEmpty || (command.Mode == GroupProtocolMode.Native && !command.Protocols.Any(IsKnownAssignor)))
        {
            return ErrorCode.InconsistentGroupProtocol;
        }

        if (command.Mode == GroupProtocolMode.Kafka && string.IsNullOrEmpty(command.ProtocolType))
        {
            return ErrorCode.InconsistentGroupProtocol;
        }

        if (TopicPatternOf(command) is { } pattern && !_topicPatterns.IsValid(pattern))
        {
            return ErrorCode.InvalidRegularExpression;
        }

        return ErrorCode.None;
    }

    private static bool SupportsProtocols(ConsumerGroup group, JoinGroup command, string? exceptMemberId)
    {
        var common = group.CommonProtocols(exceptMemberId, Usable(command.Mode));
        return common is null || command.Protocols.Any(p => common.Contains(p, StringComparer.Ordinal));
    }

    private static Func<string, bool> Usable(GroupProtocolMode? mode) =>
        mode == GroupProtocolMode.Native ? IsKnownAssignor : static _ => true;

    private static bool MustRebalance(ConsumerGroup group, GroupMember member, JoinGroup command) =>
        !SameSet(member.Topics, command.Topics)
        || !string.Equals(member.TopicPattern, TopicPatternOf(command), StringComparison.Ordinal)
        || !member.Protocols.SequenceEqual(command.Protocols, StringComparer.Ordinal)
        || !SameSet(member.OwnedPartitions, command.OwnedPartitions)
        || !member.PendingRevocation.IsEmpty
        || (group.Mode == GroupProtocolMode.Kafka && !SameMetadata(member.ProtocolMetadata, command.ProtocolMetadata))
        || (group.Mode is GroupProtocolMode.Classic or GroupProtocolMode.Kafka && group.State == GroupState.Stable
            && string.Equals(group.LeaderId, member.MemberId, StringComparison.Ordinal));

    private static bool SameMetadata(ImmutableArray<GroupProtocolMetadata> a, ImmutableArray<GroupProtocolMetadata> b) =>
        OrEmpty(a).SequenceEqual(OrEmpty(b));

    private static bool SameSet<T>(ImmutableArray<T> a, ImmutableArray<T> b) =>
        (a.IsDefault ? [] : a).ToHashSet().SetEquals(b.IsDefault ? [] : b);

    /// <summary>
    /// A static member came back with a new member id. Native and classic mode: a rebalance unless the group is Stable and the
    /// subscription is unchanged. Kafka mode (as Kafka's coordinator): the new member takes the new protocol metadata and keeps
    /// the old assignment bytes; in Stable a rebalance only if the protocol the group would select changes. Returns true when a
    /// Kafka leader came back in Stable without a rebalance: it must not compute a new assignment (KIP-814 skip_assignment).
    /// </summary>
    private bool ReplaceStaticMember(GroupTransaction txn, JoinGroup command, GroupMember previous, string memberId)
    {
        var kafka = command.Mode == GroupProtocolMode.Kafka;
        var before = txn.Current;
        txn.Emit(new StaticMemberReplaced(
            command.GroupId,
            previous.MemberId,
            memberId,
            command.GroupInstanceId!,
            command.ClientId,
            OrEmpty(command.OwnedPartitions),
            command.SessionTimeoutMs,
            RebalanceTimeout(command),
            command.NowMs)
        {
            ClientHost = command.ClientHost,
            ProtocolMetadata = kafka ? OrEmpty(command.ProtocolMetadata) : [],
        });
        var changed = kafka
            ? before.State == GroupState.Stable && !string.Equals(txn.Current.SelectProtocol(Usable(command.Mode)), before.ProtocolName, StringComparison.Ordinal)
            : !SameSet(previous.Topics, command.Topics)
                || !string.Equals(previous.TopicPattern, TopicPatternOf(command), StringComparison.Ordinal)
                || !previous.Protocols.SequenceEqual(command.Protocols, StringComparer.Ordinal);
        var state = txn.Current.State;
        if (state == GroupState.PreparingRebalance || state == GroupState.CompletingRebalance || changed)
        {
            JoinRound(txn, command, memberId, $"static member {command.GroupInstanceId} rejoined as {memberId}");
            return false;
        }

        return kafka && state == GroupState.Stable && string.Equals(txn.Current.LeaderId, memberId, StringComparison.Ordinal);
    }

    private void JoinRound(GroupTransaction txn, JoinGroup command, string memberId, string reason)
    {
        var isNew = !txn.Current.Members.ContainsKey(memberId);
        if (txn.Current.State != GroupState.PreparingRebalance)
        {
            if (txn.Current.State == GroupState.Empty && _config.InitialRebalanceDelayMs > 0)
            {
                var delay = Math.Min(_config.InitialRebalanceDelayMs, RebalanceTimeout(command));
                _initialDelays[command.GroupId] = new InitialDelay(command.NowMs, command.NowMs + delay, NewMemberAdded: false);
            }

            txn.Emit(new RebalanceStarted(command.GroupId, reason, command.NowMs));
        }
        else if (isNew && _initialDelays.TryGetValue(command.GroupId, out var delay))
        {
            _initialDelays[command.GroupId] = delay with { NewMemberAdded = true };
        }

        var kafka = command.Mode == GroupProtocolMode.Kafka;
        txn.Emit(new MemberJoined(
            command.GroupId,
            memberId,
            command.GroupInstanceId,
            command.ClientId,
            command.Mode,
            command.Protocols,
            OrEmpty(command.Topics).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray(),
            TopicPatternOf(command),
            OrEmpty(command.OwnedPartitions).Distinct().Order(GroupTopicPartition.Comparer).ToImmutableArray(),
            command.SessionTimeoutMs,
            RebalanceTimeout(command),
            command.NowMs)
        {
            ProtocolType = kafka ? command.ProtocolType : "",
            ProtocolMetadata = kafka ? OrEmpty(command.ProtocolMetadata) : [],
            ClientHost = command.ClientHost,
        });
        TryCompleteRound(txn, command.NowMs);
    }

    private static int RebalanceTimeout(JoinGroup command) =>
        command.RebalanceTimeoutMs > 0 ? command.RebalanceTimeoutMs : command.SessionTimeoutMs;

    private static ImmutableArray<T> OrEmpty<T>(ImmutableArray<T> array) => array.IsDefault ? [] : array;

    private void RemoveMember(GroupTransaction txn, string memberId, MemberLeaveReason reason, long nowMs)
    {
        txn.Emit(new MemberLeft(txn.Current.GroupId, memberId, reason, nowMs));
        if (txn.Current.State is GroupState.Stable or GroupState.CompletingRebalance)
        {
            txn.Emit(new RebalanceStarted(txn.Current.GroupId, $"member {memberId} left ({reason})", nowMs));
        }

        TryCompleteRound(txn, nowMs);
    }

    /// <summary>When every member has joined the round: the next generation, with the native assignment computed here.</summary>
    private void TryCompleteRound(GroupTransaction txn, long nowMs)
    {
        var group = txn.Current;
        if (group.State != GroupState.PreparingRebalance || !group.AllMembersJoined)
        {
            return;
        }

        if (!group.Members.IsEmpty && _initialDelays.ContainsKey(group.GroupId))
        {
            return; // the first round of a group that was Empty waits for group.initial.rebalance.delay.ms
        }

        _initialDelays.Remove(group.GroupId);

        var generation = group.GenerationId + 1;
        if (group.Members.IsEmpty)
        {
            txn.Emit(new GenerationCompleted(group.GroupId, generation, null, null, [], [], nowMs));
            return;
        }

        var leader = group.LeaderId is { } current && group.Members.ContainsKey(current)
            ? current
            : group.Members.Keys.Order(StringComparer.Ordinal).First();
        var protocol = group.SelectProtocol(Usable(group.Mode));
        if (group.Mode is GroupProtocolMode.Classic or GroupProtocolMode.Kafka)
        {
            txn.Emit(new GenerationCompleted(group.GroupId, generation, protocol, leader, [], [], nowMs));
            return;
        }

        var assignor = PartitionAssignors.Find(protocol)!;
        var cooperative = assignor.RebalanceProtocol == RebalanceProtocol.Cooperative;

        // Cooperative members keep their partitions through the rebalance and declare them; eager members gave up everything
        // before rejoining, so only the recorded assignment matters (for stickiness-free assignors and pending revocations).
        var held = group.Members.Values.ToDictionary(
            m => m.MemberId, m => cooperative ? m.OwnedPartitions : m.Assignment, StringComparer.Ordinal);
        var members = group.Members.Values
            .Select(m => new AssignorMember(m.MemberId, m.GroupInstanceId, SubscribedTopics(m), held[m.MemberId]))
            .ToList();
        var target = assignor.Assign(members, _topicPartitions);
        var (assignments, pending) = RevocationPlan.Plan(target, held, withholdUntilRevoked: cooperative);
        txn.Emit(new GenerationCompleted(group.GroupId, generation, protocol, leader, assignments, pending, nowMs));
    }

    private static CoordinatorResult<JoinGroupResponse> JoinReply(GroupTransaction txn, string memberId, bool noWait) =>
        new(txn.Events, JoinResponse(txn.Current, memberId, noWait));

    /// <summary>
    /// The member's JoinGroup reply: pending while the group prepares (with <paramref name="noWait"/>: the current generation and
    /// assignment at once instead), else the generation; the classic or Kafka leader gets every member's subscription (Kafka:
    /// its metadata for the chosen protocol).
    /// </summary>
    private static JoinGroupResponse JoinResponse(ConsumerGroup group, string memberId, bool noWait = false)
    {
        if (!group.Members.TryGetValue(memberId, out var member))
        {
            return JoinGroupResponse.Failed(ErrorCode.UnknownMemberId, memberId);
        }

        var kafka = group.Mode == GroupProtocolMode.Kafka;
        var protocolType = kafka ? group.ProtocolType : null;
        if (group.State == GroupState.PreparingRebalance)
        {
            return noWait
                ? new JoinGroupResponse(ErrorCode.None, memberId, group.GenerationId, group.ProtocolName, group.LeaderId, false, member.Assignment, [])
                {
                    ProtocolType = protocolType,
                }
                : new JoinGroupResponse(ErrorCode.None, memberId, -1, null, null, true, [], []);
        }

        var isLeader = string.Equals(group.LeaderId, memberId, StringComparison.Ordinal);
        var members = group.Mode is GroupProtocolMode.Classic or GroupProtocolMode.Kafka && isLeader
            ? group.Members.Values.OrderBy(m => m.MemberId, StringComparer.Ordinal)
                .Select(m => new JoinGroupMember(m.MemberId, m.GroupInstanceId, m.Topics, m.TopicPattern, m.OwnedPartitions)
                {
                    Metadata = kafka ? m.MetadataFor(group.ProtocolName) : Google.Protobuf.ByteString.Empty,
                })
                .ToImmutableArray()
            : [];
        var assignment = group.Mode == GroupProtocolMode.Native ? member.Assignment : [];
        return new JoinGroupResponse(ErrorCode.None, memberId, group.GenerationId, group.ProtocolName, group.LeaderId, false, assignment, members)
        {
            ProtocolType = protocolType,
        };
    }

    private (ErrorCode Error, ConsumerGroup? Group, GroupMember? Member) ValidateMember(string groupId, string memberId, string? groupInstanceId)
    {
        if (string.IsNullOrEmpty(groupId))
        {
            return (ErrorCode.InvalidGroupId, null, null);
        }

        var group = Find(groupId);
        if (group is not null && IsFenced(group, memberId, groupInstanceId))
        {
            return (ErrorCode.FencedInstanceId, null, null);
        }

        if (group is null || !group.Members.TryGetValue(memberId, out var member) || !SameInstance(member, groupInstanceId))
        {
            return (ErrorCode.UnknownMemberId, null, null);
        }

        return (ErrorCode.None, group, member);
    }
}
