using System.Collections.Immutable;

namespace ActorStream.Broker.Group;

/// <summary>
/// The group coordinator's journal: every change of group state is one of these events, applied by
/// <see cref="GroupCoordinatorShard.Apply"/> both live and on recovery. Plain data (no behaviour, no references to
/// actors), so each maps one-to-one to a protobuf message; every event carries the time it happened.
/// </summary>
public interface IGroupEvent
{
    string GroupId { get; }

    long TimestampMs { get; }
}

/// <summary>Why a member left the group.</summary>
public enum MemberLeaveReason
{
    /// <summary>LeaveGroup (a consumer's Close, or an admin removing a static member).</summary>
    Left,

    /// <summary>No heartbeat within <c>session.timeout.ms</c>.</summary>
    SessionExpired,

    /// <summary>Did not rejoin (or, for a classic leader, did not sync) within the rebalance timeout.</summary>
    RebalanceTimedOut,
}

/// <summary>A group was created, Empty with generation 0 (first JoinGroup, or a commit/reset for an unknown group).</summary>
public sealed record GroupCreated(string GroupId, long TimestampMs) : IGroupEvent;

/// <summary>
/// A member joined or rejoined in the current PreparingRebalance round, with the subscription it sent. A member id seen for
/// the first time adds the member; a known one replaces its subscription (its assignment stays until the generation completes).
/// The subscription is <see cref="Topics"/> plus, in native mode, the topics matching <see cref="TopicPattern"/>.
/// </summary>
public sealed record MemberJoined(
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    GroupProtocolMode Mode,
    ImmutableArray<string> Protocols,
    ImmutableArray<string> Topics,
    string? TopicPattern,
    ImmutableArray<GroupTopicPartition> OwnedPartitions,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    long TimestampMs) : IGroupEvent
{
    /// <summary>Kafka mode: the member's protocol type ("consumer", "connect"...); empty otherwise.</summary>
    public string ProtocolType { get; init; } = "";

    /// <summary>Kafka mode: the member's metadata per protocol, in the order of <see cref="Protocols"/>.</summary>
    public ImmutableArray<GroupProtocolMetadata> ProtocolMetadata { get; init; } = [];

    public string ClientHost { get; init; } = "";
}

/// <summary>
/// A static member (<c>group.instance.id</c>) restarted within its session timeout and came back with a new member id: the
/// new id takes over the old one's assignment, leadership and round status, without a rebalance. In Kafka mode it also takes
/// the <see cref="ProtocolMetadata"/> it rejoined with (and the protocol names from it) and keeps the old member's
/// assignment bytes.
/// </summary>
public sealed record StaticMemberReplaced(
    string GroupId,
    string OldMemberId,
    string NewMemberId,
    string GroupInstanceId,
    string ClientId,
    ImmutableArray<GroupTopicPartition> OwnedPartitions,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    long TimestampMs) : IGroupEvent
{
    public string ClientHost { get; init; } = "";

    /// <summary>Kafka mode: the metadata the member rejoined with; empty (events written before Kafka mode) keeps the old member's.</summary>
    public ImmutableArray<GroupProtocolMetadata> ProtocolMetadata { get; init; } = [];
}

/// <summary>A member left the group (its assignment is free once the generation completes).</summary>
public sealed record MemberLeft(string GroupId, string MemberId, MemberLeaveReason Reason, long TimestampMs) : IGroupEvent;

/// <summary>The group entered PreparingRebalance: every member must rejoin before the next generation.</summary>
public sealed record RebalanceStarted(string GroupId, string Reason, long TimestampMs) : IGroupEvent;

/// <summary>
/// Every member rejoined: generation <see cref="GenerationId"/> begins. With no member left the group becomes Empty; in
/// native mode <see cref="Assignments"/> holds every member's partitions and the group becomes Stable; in classic mode it is
/// empty and the group waits in CompletingRebalance for the leader's SyncGroup.
/// </summary>
public sealed record GenerationCompleted(
    string GroupId,
    int GenerationId,
    string? ProtocolName,
    string? LeaderId,
    ImmutableArray<MemberAssignment> Assignments,
    ImmutableArray<MemberAssignment> PendingRevocations,
    long TimestampMs) : IGroupEvent;

/// <summary>
/// Classic and Kafka mode: the leader's SyncGroup delivered the assignment of <see cref="GenerationId"/>; the group is Stable.
/// Kafka mode: <see cref="KafkaAssignments"/> holds every member's assignment bytes (empty for a member the leader left
/// out) and <see cref="Assignments"/> the partitions decoded from them.
/// </summary>
public sealed record AssignmentSynced(
    string GroupId,
    int GenerationId,
    ImmutableArray<MemberAssignment> Assignments,
    ImmutableArray<MemberAssignment> PendingRevocations,
    long TimestampMs) : IGroupEvent
{
    public ImmutableArray<KafkaMemberAssignment> KafkaAssignments { get; init; } = [];
}

/// <summary>One committed offset in <see cref="OffsetsCommitted"/>.</summary>
public sealed record OffsetCommitEntry(string Topic, int Partition, long Offset, string? Metadata);

/// <summary>Offsets were committed by a member, an admin commit to an Empty group, or a reset.</summary>
public sealed record OffsetsCommitted(string GroupId, ImmutableArray<OffsetCommitEntry> Offsets, long TimestampMs) : IGroupEvent;

/// <summary>An Empty group's offsets passed <c>offsets.retention.minutes</c> and were removed.</summary>
public sealed record OffsetsExpired(string GroupId, ImmutableArray<GroupTopicPartition> Partitions, long TimestampMs) : IGroupEvent;

/// <summary>Kafka's OffsetDelete removed these partitions' committed offsets.</summary>
public sealed record OffsetsDeleted(string GroupId, ImmutableArray<GroupTopicPartition> Partitions, long TimestampMs) : IGroupEvent;

/// <summary>An Empty group was deleted (DeleteGroup, or all its offsets expired): it becomes Dead and is forgotten.</summary>
public sealed record GroupDeleted(string GroupId, long TimestampMs) : IGroupEvent;
