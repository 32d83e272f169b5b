using System.Collections.Immutable;
using Google.Protobuf;

namespace ActorStream.Broker.Group;

/// <summary>
/// One consumer group's state: an immutable value, changed only by <see cref="Evolve"/> (one event at a time), so a handler
/// can try events on a copy and recovery rebuilds exactly the same value.
/// <see cref="JoinedMembers"/> are the members that joined in the current PreparingRebalance round; the round completes when
/// it holds every member. <see cref="StateTimestampMs"/> is when the group entered its state (an Empty group's offsets
/// expire from then). <see cref="ProtocolType"/> is a Kafka-mode group's Kafka protocol type (set by its first member, kept
/// while the group is Empty as Kafka does, null for native and classic groups).
/// </summary>
public sealed record ConsumerGroup(
    string GroupId,
    GroupState State,
    long StateTimestampMs,
    GroupProtocolMode? Mode,
    int GenerationId,
    string? ProtocolName,
    string? LeaderId,
    ImmutableDictionary<string, GroupMember> Members,
    ImmutableHashSet<string> JoinedMembers,
    ImmutableDictionary<GroupTopicPartition, CommittedOffset> Offsets)
{
    public string? ProtocolType { get; init; }

    public static ConsumerGroup Create(string groupId, long nowMs) => new(
        groupId,
        GroupState.Empty,
        nowMs,
        null,
        0,
        null,
        null,
        ImmutableDictionary.Create<string, GroupMember>(StringComparer.Ordinal),
        ImmutableHashSet.Create<string>(StringComparer.Ordinal),
        ImmutableDictionary<GroupTopicPartition, CommittedOffset>.Empty);

    /// <summary>True when every member has joined the current round (vacuously for no members).</summary>
    public bool AllMembersJoined => Members.Keys.All(JoinedMembers.Contains);

    /// <summary>The rebalance timeout: the largest of the members' (Kafka's <c>rebalanceTimeoutMs</c>).</summary>
    public int RebalanceTimeoutMs => Members.IsEmpty ? 0 : Members.Values.Max(m => m.RebalanceTimeoutMs);

    public GroupMember? FindStaticMember(string groupInstanceId) =>
        Members.Values.FirstOrDefault(m => string.Equals(m.GroupInstanceId, groupInstanceId, StringComparison.Ordinal));

    /// <summary>
    /// The protocols every member except <paramref name="exceptMemberId"/> supports, in the preference order of the first such
    /// member (ordinal by id), filtered by <paramref name="usable"/>; null when there is no other member.
    /// </summary>
    public IReadOnlyList<string>? CommonProtocols(string? exceptMemberId, Func<string, bool> usable)
    {
        var others = Members.Values.Where(m => !string.Equals(m.MemberId, exceptMemberId, StringComparison.Ordinal))
            .OrderBy(m => m.MemberId, StringComparer.Ordinal)
            .ToList();
        if (others.Count == 0)
        {
            return null;
        }

        return others[0].Protocols
            .Where(p => usable(p) && others.All(m => m.Protocols.Contains(p, StringComparer.Ordinal)))
            .ToList();
    }

    /// <summary>
    /// Kafka's protocol vote: among the protocols all members support, each member votes for its most preferred one; the most
    /// voted wins (ties: the earlier in the first member's preference order).
    /// </summary>
    public string SelectProtocol(Func<string, bool> usable)
    {
        var candidates = CommonProtocols(null, usable);
        if (candidates is null || candidates.Count == 0)
        {
            throw new InvalidOperationException($"[Group {GroupId}] members share no usable protocol; JoinGroup validation must prevent this");
        }

        var votes = Members.Values
            .Select(m => m.Protocols.First(p => candidates.Contains(p, StringComparer.Ordinal)))
            .GroupBy(p => p, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return candidates.Select((p, i) => (p, i)).MaxBy(x => (votes.GetValueOrDefault(x.p), -x.i)).p;
    }

    private ConsumerGroup TransitionTo(GroupState next, long nowMs) =>
        this with { State = State.TransitionTo(next, GroupId), StateTimestampMs = nowMs };

    /// <summary>
    /// Applies one event: the only way group state changes. Returns null when the group is gone (deleted).
    /// Throws <see cref="InvalidOperationException"/> for an event that does not fit the state (a bug or a corrupt journal).
    /// </summary>
    public static ConsumerGroup? Evolve(ConsumerGroup? group, IGroupEvent e)
    {
        if (e is GroupCreated created)
        {
            return group is null
                ? Create(created.GroupId, created.TimestampMs)
                : throw new InvalidOperationException($"[Group {e.GroupId}] created twice");
        }

        if (group is null)
        {
            throw new InvalidOperationException($"[Group {e.GroupId}] {e.GetType().Name} for a group that does not exist");
        }

        return e switch
        {
            MemberJoined joined => group.ApplyJoined(joined),
            StaticMemberReplaced replaced => group.ApplyReplaced(replaced),
            MemberLeft left => group.ApplyLeft(left),
            RebalanceStarted started => group.TransitionTo(GroupState.PreparingRebalance, started.TimestampMs) with
            {
                JoinedMembers = group.JoinedMembers.Clear(),
            },
            GenerationCompleted completed => group.ApplyGenerationCompleted(completed),
            AssignmentSynced synced => group.ApplySynced(synced),
            OffsetsCommitted committed => group with
            {
                Offsets = group.Offsets.SetItems(committed.Offsets.Select(o => KeyValuePair.Create(
                    new GroupTopicPartition(o.Topic, o.Partition), new CommittedOffset(o.Offset, o.Metadata, committed.TimestampMs)))),
            },
            OffsetsExpired expired => group with { Offsets = group.Offsets.RemoveRange(expired.Partitions) },
            OffsetsDeleted deleted => group with { Offsets = group.Offsets.RemoveRange(deleted.Partitions) },
            GroupDeleted => group.ApplyDeleted(),
            _ => throw new InvalidOperationException($"[Group {e.GroupId}] unknown event {e.GetType().Name}"),
        };
    }

    private ConsumerGroup? ApplyDeleted()
    {
        // Only an Empty group is deleted (DeleteGroup, offset expiry); Dead is terminal, so the group is simply forgotten.
        if (State != GroupState.Empty)
        {
            throw new InvalidOperationException($"[Group {GroupId}] deleted in state {State}");
        }

        _ = State.TransitionTo(GroupState.Dead, GroupId);
        return null;
    }

    private ConsumerGroup ApplyJoined(MemberJoined e)
    {
        if (State != GroupState.PreparingRebalance)
        {
            throw new InvalidOperationException($"[Group {GroupId}] member {e.MemberId} joined in state {State}");
        }

        var existing = Members.GetValueOrDefault(e.MemberId);
        var member = new GroupMember(
            e.MemberId,
            e.GroupInstanceId,
            e.ClientId,
            e.Protocols,
            e.Topics,
            e.TopicPattern,
            e.OwnedPartitions,
            e.SessionTimeoutMs,
            e.RebalanceTimeoutMs,
            existing?.Assignment ?? [],
            existing?.PendingRevocation ?? [])
        {
            ProtocolMetadata = e.ProtocolMetadata.IsDefault ? [] : e.ProtocolMetadata,
            ClientHost = e.ClientHost,
            KafkaAssignment = existing?.KafkaAssignment ?? ByteString.Empty,
        };
        return this with
        {
            Mode = Members.IsEmpty ? e.Mode : Mode,
            ProtocolType = !Members.IsEmpty ? ProtocolType : e.Mode == GroupProtocolMode.Kafka ? e.ProtocolType : null,
            Members = Members.SetItem(e.MemberId, member),
            JoinedMembers = JoinedMembers.Add(e.MemberId),
        };
    }

    private ConsumerGroup ApplyReplaced(StaticMemberReplaced e)
    {
        var old = Members.GetValueOrDefault(e.OldMemberId)
            ?? throw new InvalidOperationException($"[Group {GroupId}] static member {e.OldMemberId} to replace is unknown");
        var member = old with
        {
            MemberId = e.NewMemberId,
            ClientId = e.ClientId,
            OwnedPartitions = e.OwnedPartitions,
            SessionTimeoutMs = e.SessionTimeoutMs,
            RebalanceTimeoutMs = e.RebalanceTimeoutMs,
            ClientHost = e.ClientHost,
        };
        if (!e.ProtocolMetadata.IsDefaultOrEmpty)
        {
            member = member with { ProtocolMetadata = e.ProtocolMetadata, Protocols = [.. e.ProtocolMetadata.Select(p => p.Name)] };
        }

        var joined = JoinedMembers.Contains(e.OldMemberId) ? JoinedMembers.Remove(e.OldMemberId).Add(e.NewMemberId) : JoinedMembers;
        return this with
        {
            Members = Members.Remove(e.OldMemberId).Add(e.NewMemberId, member),
            JoinedMembers = joined,
            LeaderId = string.Equals(LeaderId, e.OldMemberId, StringComparison.Ordinal) ? e.NewMemberId : LeaderId,
        };
    }

    private ConsumerGroup ApplyLeft(MemberLeft e)
    {
        if (!Members.ContainsKey(e.MemberId))
        {
            throw new InvalidOperationException($"[Group {GroupId}] unknown member {e.MemberId} left");
        }

        var members = Members.Remove(e.MemberId);
        return this with
        {
            Members = members,
            JoinedMembers = JoinedMembers.Remove(e.MemberId),
            LeaderId = string.Equals(LeaderId, e.MemberId, StringComparison.Ordinal) ? null : LeaderId,
            Mode = members.IsEmpty ? null : Mode,
        };
    }

    private ConsumerGroup ApplyGenerationCompleted(GenerationCompleted e)
    {
        if (e.GenerationId <= GenerationId)
        {
            throw new InvalidOperationException($"[Group {GroupId}] generation {e.GenerationId} does not follow {GenerationId}");
        }

        var group = this with
        {
            GenerationId = e.GenerationId,
            ProtocolName = e.ProtocolName,
            LeaderId = e.LeaderId,
            JoinedMembers = JoinedMembers.Clear(),
        };
        if (Members.IsEmpty)
        {
            return group.TransitionTo(GroupState.Empty, e.TimestampMs) with { ProtocolName = null, LeaderId = null };
        }

        group = group.TransitionTo(GroupState.CompletingRebalance, e.TimestampMs);
        return Mode == GroupProtocolMode.Native
            ? group.WithAssignments(e.Assignments, e.PendingRevocations).TransitionTo(GroupState.Stable, e.TimestampMs)
            : group;
    }

    private ConsumerGroup ApplySynced(AssignmentSynced e)
    {
        if (e.GenerationId != GenerationId || State != GroupState.CompletingRebalance)
        {
            throw new InvalidOperationException(
                $"[Group {GroupId}] assignment of generation {e.GenerationId} synced in generation {GenerationId}, state {State}");
        }

        var group = WithAssignments(e.Assignments, e.PendingRevocations).TransitionTo(GroupState.Stable, e.TimestampMs);
        if (Mode != GroupProtocolMode.Kafka)
        {
            return group;
        }

        var bytes = (e.KafkaAssignments.IsDefault ? [] : e.KafkaAssignments)
            .ToDictionary(a => a.MemberId, a => a.Assignment, StringComparer.Ordinal);
        return group with
        {
            Members = group.Members.SetItems(group.Members.Values.Select(m => KeyValuePair.Create(m.MemberId, m with
            {
                KafkaAssignment = bytes.GetValueOrDefault(m.MemberId, ByteString.Empty),
            }))),
        };
    }

    private ConsumerGroup WithAssignments(ImmutableArray<MemberAssignment> assignments, ImmutableArray<MemberAssignment> revocations)
    {
        var assigned = assignments.ToDictionary(a => a.MemberId, a => a.Partitions, StringComparer.Ordinal);
        var revoking = revocations.ToDictionary(a => a.MemberId, a => a.Partitions, StringComparer.Ordinal);
        return this with
        {
            Members = Members.SetItems(Members.Values.Select(m => KeyValuePair.Create(m.MemberId, m with
            {
                Assignment = assigned.GetValueOrDefault(m.MemberId, []),
                PendingRevocation = revoking.GetValueOrDefault(m.MemberId, []),
            }))),
        };
    }
}
