using System.Collections.Immutable;
using Google.Protobuf.Collections;
using P = ActorStream.Protocol.Group;

namespace ActorStream.Broker.Group;

/// <summary>
/// Maps between the protobuf messages of <c>group.proto</c> (wire and journal) and the records of
/// <see cref="GroupCoordinatorShard"/>. Plain data both ways: an absent optional string is null, mode and reason are ints.
/// </summary>
internal static class GroupMessageMapping
{
    #region shared values

    public static GroupTopicPartition ToDomain(this P.GroupPartition p) => new(p.Topic, p.Partition);

    public static P.GroupPartition ToProto(this GroupTopicPartition p) => new() { Topic = p.Topic, Partition = p.Partition };

    private static ImmutableArray<GroupTopicPartition> ToDomain(RepeatedField<P.GroupPartition> partitions) =>
        partitions.Select(ToDomain).ToImmutableArray();

    private static IEnumerable<P.GroupPartition> ToProto(ImmutableArray<GroupTopicPartition> partitions) =>
        partitions.IsDefault ? [] : partitions.Select(ToProto);

    private static ImmutableArray<MemberAssignment> ToDomain(RepeatedField<P.MemberPartitions> assignments) =>
        assignments.Select(a => new MemberAssignment(a.MemberId, ToDomain(a.Partitions))).ToImmutableArray();

    private static IEnumerable<P.MemberPartitions> ToProto(ImmutableArray<MemberAssignment> assignments) =>
        assignments.IsDefault ? [] : assignments.Select(a => new P.MemberPartitions { MemberId = a.MemberId, Partitions = { ToProto(a.Partitions) } });

    private static ImmutableArray<string> Strings(ImmutableArray<string> values) => values.IsDefault ? [] : values;

    private static int ToProto(GroupProtocolMode? mode) => mode is null ? -1 : (int)mode.Value;

    private static GroupProtocolMode? ToMode(int mode) => mode < 0 ? null : (GroupProtocolMode)mode;

    public static string ProtocolType(GroupProtocolMode? mode) => mode switch
    {
        GroupProtocolMode.Native => "native",
        GroupProtocolMode.Classic => "classic",
        GroupProtocolMode.Kafka => "kafka",
        _ => "",
    };

    /// <summary>What Kafka's ListGroups / DescribeGroups report: a Kafka group's protocol type, "consumer" for every other group.</summary>
    public static string KafkaProtocolType(string? protocolType) => string.IsNullOrEmpty(protocolType) ? "consumer" : protocolType;

    private static GroupProtocolMetadata ToDomain(P.GroupProtocol p) => new(p.Name, p.Metadata);

    private static P.GroupProtocol ToProto(GroupProtocolMetadata p) => new() { Name = p.Name, Metadata = p.Metadata };

    private static ImmutableArray<GroupProtocolMetadata> ToDomain(RepeatedField<P.GroupProtocol> protocols) =>
        protocols.Select(ToDomain).ToImmutableArray();

    private static IEnumerable<P.GroupProtocol> ToProto(ImmutableArray<GroupProtocolMetadata> protocols) =>
        protocols.IsDefault ? [] : protocols.Select(ToProto);

    private static P.OffsetCommitPartitionResult ToProto(OffsetCommitPartitionResult r) =>
        new() { Topic = r.Topic, Partition = r.Partition, ErrorCode = (int)r.Error };

    private static OffsetCommitPartition ToDomain(P.OffsetCommitPartition p) =>
        new(p.Topic, p.Partition, p.Offset, p.HasMetadata ? p.Metadata : null);

    private static P.OffsetCommitPartition OffsetProto(string topic, int partition, long offset, string? metadata)
    {
        var proto = new P.OffsetCommitPartition { Topic = topic, Partition = partition, Offset = offset };
        if (metadata is not null)
        {
            proto.Metadata = metadata;
        }

        return proto;
    }

    #endregion

    #region requests → commands

    /// <summary>Kafka members (<c>kafka</c>): mode 2, the protocol names from <c>protocols</c> with their metadata kept.</summary>
    public static JoinGroup ToCommand(this P.JoinGroupRequest r, long nowMs) => new(
        r.GroupId,
        r.MemberId,
        r.HasGroupInstanceId ? r.GroupInstanceId : null,
        r.ClientId,
        r.Kafka ? GroupProtocolMode.Kafka : r.Classic ? GroupProtocolMode.Classic : GroupProtocolMode.Native,
        r.Kafka ? [.. r.Protocols.Select(p => p.Name)] : [.. r.Assignors],
        [.. r.Topics],
        r.HasTopicPattern ? r.TopicPattern : null,
        ToDomain(r.OwnedPartitions),
        r.SessionTimeoutMs,
        r.RebalanceTimeoutMs,
        nowMs)
    {
        ProtocolType = r.Kafka ? r.ProtocolType : "",
        ProtocolMetadata = r.Kafka ? ToDomain(r.Protocols) : [],
        ClientHost = r.ClientHost,
        RequireKnownMemberId = r.RequireKnownMemberId,
        NoWait = r.NoWait,
    };

    /// <summary>Kafka mode: the leader's bytes per member, and the partitions the gateway decoded from them as the assignments.</summary>
    public static SyncGroup ToCommand(this P.SyncGroupRequest r, long nowMs) =>
        new(
            r.GroupId,
            r.MemberId,
            r.HasGroupInstanceId ? r.GroupInstanceId : null,
            r.GenerationId,
            r.KafkaAssignments.Count > 0
                ? r.KafkaAssignments.Select(a => new MemberAssignment(a.MemberId, ToDomain(a.Partitions))).ToImmutableArray()
                : ToDomain(r.Assignments),
            nowMs)
        {
            KafkaAssignments = r.KafkaAssignments.Select(a => new KafkaMemberAssignment(a.MemberId, a.Assignment)).ToImmutableArray(),
            ProtocolType = r.HasProtocolType ? r.ProtocolType : null,
            ProtocolName = r.HasProtocolName ? r.ProtocolName : null,
        };

    public static Heartbeat ToCommand(this P.HeartbeatRequest r, long nowMs) =>
        new(r.GroupId, r.MemberId, r.HasGroupInstanceId ? r.GroupInstanceId : null, r.GenerationId, nowMs);

    public static LeaveGroup ToCommand(this P.LeaveGroupRequest r, long nowMs) =>
        new(r.GroupId, r.MemberId, r.HasGroupInstanceId ? r.GroupInstanceId : null, nowMs);

    public static CommitOffsets ToCommand(this P.OffsetCommitRequest r, long nowMs) =>
        new(r.GroupId, r.MemberId, r.HasGroupInstanceId ? r.GroupInstanceId : null, r.GenerationId, r.Offsets.Select(ToDomain).ToImmutableArray(), nowMs);

    public static FetchOffsets ToCommand(this P.OffsetFetchRequest r) => new(r.GroupId, ToDomain(r.Partitions));

    public static DeleteOffsets ToCommand(this P.OffsetDeleteRequest r, long nowMs) => new(r.GroupId, ToDomain(r.Partitions), nowMs);

    public static ResetOffsets ToCommand(this P.ResetOffsetsRequest r, long nowMs) =>
        new(r.GroupId, r.Offsets.Select(ToDomain).ToImmutableArray(), nowMs);

    /// <summary>Unknown state names are ignored (they match no group).</summary>
    public static ListGroups ToCommand(this P.ListGroupsRequest r) => new(r.States
        .Select(s => Enum.TryParse<GroupState>(s, ignoreCase: true, out var state) ? state : (GroupState?)null)
        .Where(s => s is not null)
        .Select(s => s!.Value)
        .ToImmutableArray());

    #endregion

    #region responses → replies

    public static P.JoinGroupResponse ToProto(this JoinGroupResponse r, ImmutableArray<GroupTopicPartition> pendingRevocation)
    {
        var proto = new P.JoinGroupResponse
        {
            ErrorCode = (int)r.Error,
            GenerationId = r.GenerationId,
            MemberId = r.MemberId,
            Assignment = { ToProto(r.Assignment) },
            PendingRevocation = { ToProto(pendingRevocation) },
            ProtocolType = r.ProtocolType ?? "",
            SkipAssignment = r.SkipAssignment,
        };
        if (r.ProtocolName is not null)
        {
            proto.ProtocolName = r.ProtocolName;
        }

        if (r.LeaderId is not null)
        {
            proto.LeaderId = r.LeaderId;
        }

        foreach (var m in r.Members.IsDefault ? [] : r.Members)
        {
            var member = new P.JoinGroupMember
            {
                MemberId = m.MemberId,
                Topics = { Strings(m.Topics) },
                OwnedPartitions = { ToProto(m.OwnedPartitions) },
                Metadata = m.Metadata,
            };
            if (m.GroupInstanceId is not null)
            {
                member.GroupInstanceId = m.GroupInstanceId;
            }

            if (m.TopicPattern is not null)
            {
                member.TopicPattern = m.TopicPattern;
            }

            proto.Members.Add(member);
        }

        return proto;
    }

    public static P.SyncGroupResponse ToProto(this SyncGroupResponse r)
    {
        var proto = new P.SyncGroupResponse { ErrorCode = (int)r.Error, Assignment = { ToProto(r.Assignment) }, KafkaAssignment = r.KafkaAssignment };
        if (r.ProtocolType is not null)
        {
            proto.ProtocolType = r.ProtocolType;
        }

        if (r.ProtocolName is not null)
        {
            proto.ProtocolName = r.ProtocolName;
        }

        return proto;
    }

    public static P.OffsetDeleteResponse ToProto(this DeleteOffsetsResponse r) =>
        new() { ErrorCode = (int)r.Error, Partitions = { r.Partitions.Select(ToProto) } };

    public static P.OffsetCommitResponse ToProto(this CommitOffsetsResponse r) =>
        new() { Partitions = { r.Partitions.Select(ToProto) } };

    public static P.OffsetFetchResponse ToProto(this FetchOffsetsResponse r)
    {
        var proto = new P.OffsetFetchResponse { ErrorCode = (int)r.Error };
        foreach (var p in r.Partitions)
        {
            var result = new P.OffsetFetchPartitionResult { Topic = p.Topic, Partition = p.Partition, Offset = p.Offset, ErrorCode = (int)p.Error };
            if (p.Metadata is not null)
            {
                result.Metadata = p.Metadata;
            }

            proto.Partitions.Add(result);
        }

        return proto;
    }

    public static P.ResetOffsetsResponse ToProto(this ResetOffsetsResponse r) =>
        new() { ErrorCode = (int)r.Error, Partitions = { r.Partitions.Select(ToProto) } };

    public static P.ListGroupsResponse ToProto(this ListGroupsResponse r) => new()
    {
        Groups =
        {
            r.Groups.Select(g => new P.GroupListing
            {
                GroupId = g.GroupId,
                State = g.State.ToString(),
                ProtocolType = ProtocolType(g.Mode),
                KafkaProtocolType = KafkaProtocolType(g.ProtocolType),
            }),
        },
    };

    public static P.DescribeGroupResponse ToProto(this DescribeGroupResponse r, string groupId)
    {
        var proto = new P.DescribeGroupResponse { ErrorCode = (int)r.Error, GroupId = groupId };
        if (r.Group is not { } g)
        {
            proto.State = GroupState.Dead.ToString();
            return proto;
        }

        proto.State = g.State.ToString();
        proto.ProtocolType = ProtocolType(g.Mode);
        proto.KafkaProtocolType = KafkaProtocolType(g.ProtocolType);
        proto.GenerationId = g.GenerationId;
        if (g.ProtocolName is not null)
        {
            proto.ProtocolName = g.ProtocolName;
        }

        if (g.LeaderId is not null)
        {
            proto.LeaderId = g.LeaderId;
        }

        foreach (var m in g.Members)
        {
            var member = new P.GroupMemberDescription
            {
                MemberId = m.MemberId,
                ClientId = m.ClientId,
                Topics = { Strings(m.Topics) },
                Assignment = { ToProto(m.Assignment) },
                PendingRevocation = { ToProto(m.PendingRevocation) },
                ClientHost = m.ClientHost,
                Metadata = m.Metadata,
                KafkaAssignment = m.KafkaAssignment,
            };
            if (m.GroupInstanceId is not null)
            {
                member.GroupInstanceId = m.GroupInstanceId;
            }

            if (m.TopicPattern is not null)
            {
                member.TopicPattern = m.TopicPattern;
            }

            proto.Members.Add(member);
        }

        foreach (var o in g.Offsets)
        {
            var offset = new P.GroupOffsetDescription { Topic = o.Topic, Partition = o.Partition, Offset = o.Offset, CommitTimestampMs = o.CommitTimestampMs };
            if (o.Metadata is not null)
            {
                offset.Metadata = o.Metadata;
            }

            proto.Offsets.Add(offset);
        }

        return proto;
    }

    #endregion

    #region events

    public static Google.Protobuf.IMessage ToProto(this IGroupEvent e)
    {
        switch (e)
        {
            case GroupCreated c:
                return new P.GroupCreatedEvent { GroupId = c.GroupId, TimestampMs = c.TimestampMs };
            case MemberJoined j:
            {
                var proto = new P.MemberJoinedEvent
                {
                    GroupId = j.GroupId,
                    MemberId = j.MemberId,
                    ClientId = j.ClientId,
                    Mode = (int)j.Mode,
                    Protocols = { Strings(j.Protocols) },
                    Topics = { Strings(j.Topics) },
                    OwnedPartitions = { ToProto(j.OwnedPartitions) },
                    SessionTimeoutMs = j.SessionTimeoutMs,
                    RebalanceTimeoutMs = j.RebalanceTimeoutMs,
                    TimestampMs = j.TimestampMs,
                    ProtocolType = j.ProtocolType,
                    ProtocolMetadata = { ToProto(j.ProtocolMetadata) },
                    ClientHost = j.ClientHost,
                };
                if (j.GroupInstanceId is not null)
                {
                    proto.GroupInstanceId = j.GroupInstanceId;
                }

                if (j.TopicPattern is not null)
                {
                    proto.TopicPattern = j.TopicPattern;
                }

                return proto;
            }

            case StaticMemberReplaced s:
                return new P.StaticMemberReplacedEvent
                {
                    GroupId = s.GroupId,
                    OldMemberId = s.OldMemberId,
                    NewMemberId = s.NewMemberId,
                    GroupInstanceId = s.GroupInstanceId,
                    ClientId = s.ClientId,
                    OwnedPartitions = { ToProto(s.OwnedPartitions) },
                    SessionTimeoutMs = s.SessionTimeoutMs,
                    RebalanceTimeoutMs = s.RebalanceTimeoutMs,
                    TimestampMs = s.TimestampMs,
                    ClientHost = s.ClientHost,
                    ProtocolMetadata = { ToProto(s.ProtocolMetadata) },
                };
            case MemberLeft l:
                return new P.MemberLeftEvent { GroupId = l.GroupId, MemberId = l.MemberId, Reason = (int)l.Reason, TimestampMs = l.TimestampMs };
            case RebalanceStarted r:
                return new P.RebalanceStartedEvent { GroupId = r.GroupId, Reason = r.Reason, TimestampMs = r.TimestampMs };
            case GenerationCompleted g:
            {
                var proto = new P.GenerationCompletedEvent
                {
                    GroupId = g.GroupId,
                    GenerationId = g.GenerationId,
                    Assignments = { ToProto(g.Assignments) },
                    PendingRevocations = { ToProto(g.PendingRevocations) },
                    TimestampMs = g.TimestampMs,
                };
                if (g.ProtocolName is not null)
                {
                    proto.ProtocolName = g.ProtocolName;
                }

                if (g.LeaderId is not null)
                {
                    proto.LeaderId = g.LeaderId;
                }

                return proto;
            }

            case AssignmentSynced a:
                return new P.AssignmentSyncedEvent
                {
                    GroupId = a.GroupId,
                    GenerationId = a.GenerationId,
                    Assignments = { ToProto(a.Assignments) },
                    PendingRevocations = { ToProto(a.PendingRevocations) },
                    TimestampMs = a.TimestampMs,
                    KafkaAssignments =
                    {
                        (a.KafkaAssignments.IsDefault ? [] : a.KafkaAssignments)
                            .Select(k => new P.MemberAssignmentBytes { MemberId = k.MemberId, Assignment = k.Assignment }),
                    },
                };
            case OffsetsCommitted o:
                return new P.OffsetsCommittedEvent
                {
                    GroupId = o.GroupId,
                    Offsets = { o.Offsets.Select(x => OffsetProto(x.Topic, x.Partition, x.Offset, x.Metadata)) },
                    TimestampMs = o.TimestampMs,
                };
            case OffsetsExpired x:
                return new P.OffsetsExpiredEvent { GroupId = x.GroupId, Partitions = { ToProto(x.Partitions) }, TimestampMs = x.TimestampMs };
            case OffsetsDeleted x:
                return new P.OffsetsDeletedEvent { GroupId = x.GroupId, Partitions = { ToProto(x.Partitions) }, TimestampMs = x.TimestampMs };
            case GroupDeleted d:
                return new P.GroupDeletedEvent { GroupId = d.GroupId, TimestampMs = d.TimestampMs };
            default:
                throw new ArgumentException($"Unknown group event {e.GetType()}", nameof(e));
        }
    }

    /// <summary>The record of a persisted event; null for anything that is not a group event.</summary>
    public static IGroupEvent? ToEvent(object message) => message switch
    {
        P.GroupCreatedEvent c => new GroupCreated(c.GroupId, c.TimestampMs),
        P.MemberJoinedEvent j => new MemberJoined(
            j.GroupId,
            j.MemberId,
            j.HasGroupInstanceId ? j.GroupInstanceId : null,
            j.ClientId,
            (GroupProtocolMode)j.Mode,
            [.. j.Protocols],
            [.. j.Topics],
            j.HasTopicPattern ? j.TopicPattern : null,
            ToDomain(j.OwnedPartitions),
            j.SessionTimeoutMs,
            j.RebalanceTimeoutMs,
            j.TimestampMs)
        {
            ProtocolType = j.ProtocolType,
            ProtocolMetadata = ToDomain(j.ProtocolMetadata),
            ClientHost = j.ClientHost,
        },
        P.StaticMemberReplacedEvent s => new StaticMemberReplaced(
            s.GroupId, s.OldMemberId, s.NewMemberId, s.GroupInstanceId, s.ClientId, ToDomain(s.OwnedPartitions), s.SessionTimeoutMs, s.RebalanceTimeoutMs, s.TimestampMs)
        {
            ClientHost = s.ClientHost,
            ProtocolMetadata = ToDomain(s.ProtocolMetadata),
        },
        P.MemberLeftEvent l => new MemberLeft(l.GroupId, l.MemberId, (MemberLeaveReason)l.Reason, l.TimestampMs),
        P.RebalanceStartedEvent r => new RebalanceStarted(r.GroupId, r.Reason, r.TimestampMs),
        P.GenerationCompletedEvent g => new GenerationCompleted(
            g.GroupId,
            g.GenerationId,
            g.HasProtocolName ? g.ProtocolName : null,
            g.HasLeaderId ? g.LeaderId : null,
            ToDomain(g.Assignments),
            ToDomain(g.PendingRevocations),
            g.TimestampMs),
        P.AssignmentSyncedEvent a => new AssignmentSynced(a.GroupId, a.GenerationId, ToDomain(a.Assignments), ToDomain(a.PendingRevocations), a.TimestampMs)
        {
            KafkaAssignments = a.KafkaAssignments.Select(k => new KafkaMemberAssignment(k.MemberId, k.Assignment)).ToImmutableArray(),
        },
        P.OffsetsCommittedEvent o => new OffsetsCommitted(
            o.GroupId,
            o.Offsets.Select(x => new OffsetCommitEntry(x.Topic, x.Partition, x.Offset, x.HasMetadata ? x.Metadata : null)).ToImmutableArray(),
            o.TimestampMs),
        P.OffsetsExpiredEvent x => new OffsetsExpired(x.GroupId, ToDomain(x.Partitions), x.TimestampMs),
        P.OffsetsDeletedEvent x => new OffsetsDeleted(x.GroupId, ToDomain(x.Partitions), x.TimestampMs),
        P.GroupDeletedEvent d => new GroupDeleted(d.GroupId, d.TimestampMs),
        _ => null,
    };

    #endregion

    #region snapshot

    public static P.GroupCoordinatorSnapshot ToSnapshot(IEnumerable<ConsumerGroup> groups)
    {
        var snapshot = new P.GroupCoordinatorSnapshot();
        foreach (var g in groups.OrderBy(g => g.GroupId, StringComparer.Ordinal))
        {
            var group = new P.GroupSnapshot
            {
                GroupId = g.GroupId,
                State = (int)g.State,
                StateTimestampMs = g.StateTimestampMs,
                Mode = ToProto(g.Mode),
                GenerationId = g.GenerationId,
                JoinedMembers = { g.JoinedMembers.Order(StringComparer.Ordinal) },
                ProtocolType = g.ProtocolType ?? "",
            };
            if (g.ProtocolName is not null)
            {
                group.ProtocolName = g.ProtocolName;
            }

            if (g.LeaderId is not null)
            {
                group.LeaderId = g.LeaderId;
            }

            foreach (var m in g.Members.Values.OrderBy(m => m.MemberId, StringComparer.Ordinal))
            {
                var member = new P.MemberSnapshot
                {
                    MemberId = m.MemberId,
                    ClientId = m.ClientId,
                    Protocols = { Strings(m.Protocols) },
                    Topics = { Strings(m.Topics) },
                    OwnedPartitions = { ToProto(m.OwnedPartitions) },
                    SessionTimeoutMs = m.SessionTimeoutMs,
                    RebalanceTimeoutMs = m.RebalanceTimeoutMs,
                    Assignment = { ToProto(m.Assignment) },
                    PendingRevocation = { ToProto(m.PendingRevocation) },
                    ProtocolMetadata = { ToProto(m.ProtocolMetadata) },
                    ClientHost = m.ClientHost,
                    KafkaAssignment = m.KafkaAssignment,
                };
                if (m.GroupInstanceId is not null)
                {
                    member.GroupInstanceId = m.GroupInstanceId;
                }

                if (m.TopicPattern is not null)
                {
                    member.TopicPattern = m.TopicPattern;
                }

                group.Members.Add(member);
            }

            foreach (var (tp, offset) in g.Offsets.OrderBy(o => o.Key, GroupTopicPartition.Comparer))
            {
                var committed = new P.CommittedOffsetSnapshot { Topic = tp.Topic, Partition = tp.Partition, Offset = offset.Offset, CommitTimestampMs = offset.CommitTimestampMs };
                if (offset.Metadata is not null)
                {
                    committed.Metadata = offset.Metadata;
                }

                group.Offsets.Add(committed);
            }

            snapshot.Groups.Add(group);
        }

        return snapshot;
    }

    public static IEnumerable<ConsumerGroup> FromSnapshot(P.GroupCoordinatorSnapshot snapshot) => snapshot.Groups.Select(g =>
        ConsumerGroup.Create(g.GroupId, g.StateTimestampMs) with
        {
            State = (GroupState)g.State,
            Mode = ToMode(g.Mode),
            GenerationId = g.GenerationId,
            ProtocolName = g.HasProtocolName ? g.ProtocolName : null,
            LeaderId = g.HasLeaderId ? g.LeaderId : null,
            ProtocolType = g.ProtocolType.Length == 0 ? null : g.ProtocolType,
            Members = g.Members.ToImmutableDictionary(
                m => m.MemberId,
                m => new GroupMember(
                    m.MemberId,
                    m.HasGroupInstanceId ? m.GroupInstanceId : null,
                    m.ClientId,
                    [.. m.Protocols],
                    [.. m.Topics],
                    m.HasTopicPattern ? m.TopicPattern : null,
                    ToDomain(m.OwnedPartitions),
                    m.SessionTimeoutMs,
                    m.RebalanceTimeoutMs,
                    ToDomain(m.Assignment),
                    ToDomain(m.PendingRevocation))
                {
                    ProtocolMetadata = ToDomain(m.ProtocolMetadata),
                    ClientHost = m.ClientHost,
                    KafkaAssignment = m.KafkaAssignment,
                },
                StringComparer.Ordinal),
            JoinedMembers = g.JoinedMembers.ToImmutableHashSet(StringComparer.Ordinal),
            Offsets = g.Offsets.ToImmutableDictionary(
                o => new GroupTopicPartition(o.Topic, o.Partition),
                o => new CommittedOffset(o.Offset, o.HasMetadata ? o.Metadata : null, o.CommitTimestampMs)),
        });

    #endregion
}
