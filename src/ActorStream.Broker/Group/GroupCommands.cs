using System.Collections.Immutable;

namespace ActorStream.Broker.Group;

/// <summary>
/// Commands of <see cref="GroupCoordinatorShard"/>. Every command carries the time it is handled (<c>NowMs</c>), taken by the
/// actor from its injected TimeProvider: the shard never reads a clock.
/// </summary>
public interface IGroupCommand;

/// <summary>
/// Join (or rejoin) a group. <see cref="MemberId"/> is empty for a new member (the coordinator generates one).
/// <see cref="Protocols"/> is <c>partition.assignment.strategy</c> in preference order; <see cref="OwnedPartitions"/> is what
/// the member holds now (cooperative members keep their partitions through a rebalance; eager members send none).
/// <see cref="TopicPattern"/> (native mode; ignored in classic mode, where the client resolves its regex itself) subscribes
/// the member to every topic whose whole name matches it as well as to <see cref="Topics"/>.
/// </summary>
public sealed record JoinGroup(
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
    long NowMs) : IGroupCommand
{
    /// <summary>Kafka mode: the member's protocol type; every member of a group must send the same.</summary>
    public string ProtocolType { get; init; } = "";

    /// <summary>Kafka mode: metadata per protocol, the same names as <see cref="Protocols"/> in the same order.</summary>
    public ImmutableArray<GroupProtocolMetadata> ProtocolMetadata { get; init; } = [];

    public string ClientHost { get; init; } = "";

    /// <summary>JoinGroup v4+: a new dynamic member first gets MEMBER_ID_REQUIRED with its member id, and joins with that id.</summary>
    public bool RequireKnownMemberId { get; init; }

    /// <summary>Never parked: while the round is pending the member gets its current generation and assignment at once (KIP-848 heartbeats).</summary>
    public bool NoWait { get; init; }
}

/// <summary>
/// Classic and Kafka mode: the leader sends every member's assignment; the other members send none and get theirs back.
/// Kafka mode: <see cref="KafkaAssignments"/> are the leader's bytes per member (with the decoded partitions in
/// <see cref="Assignments"/>); <see cref="ProtocolType"/> / <see cref="ProtocolName"/> (SyncGroup v5+, null when absent)
/// must be the group's.
/// </summary>
public sealed record SyncGroup(
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    int GenerationId,
    ImmutableArray<MemberAssignment> Assignments,
    long NowMs) : IGroupCommand
{
    public ImmutableArray<KafkaMemberAssignment> KafkaAssignments { get; init; } = [];

    public string? ProtocolType { get; init; }

    public string? ProtocolName { get; init; }
}

public sealed record Heartbeat(string GroupId, string MemberId, string? GroupInstanceId, int GenerationId, long NowMs) : IGroupCommand;

/// <summary>Leave the group. An admin may remove a static member by <see cref="GroupInstanceId"/> with an empty member id (KIP-345).</summary>
public sealed record LeaveGroup(string GroupId, string MemberId, string? GroupInstanceId, long NowMs) : IGroupCommand;

/// <summary>The actor's session timer for the member fired. The shard checks the member's last heartbeat; a stale timer is a no-op.</summary>
public sealed record MemberExpired(string GroupId, string MemberId, long NowMs) : IGroupCommand;

/// <summary>The actor's rebalance timer fired: members that did not rejoin (classic: a leader that did not sync) are removed.</summary>
public sealed record RebalanceTimeoutExpired(string GroupId, long NowMs) : IGroupCommand;

/// <summary>The actor's timer for the group's initial rebalance delay fired: the round completes unless new members extend it.</summary>
public sealed record InitialRebalanceDelayExpired(string GroupId, long NowMs) : IGroupCommand;

/// <summary>A topic was created, grew, or was deleted (<see cref="PartitionCount"/> 0), from the controller's metadata.</summary>
public sealed record TopicMetadataChanged(string Topic, int PartitionCount, long NowMs) : IGroupCommand;

/// <summary>One offset to commit.</summary>
public sealed record OffsetCommitPartition(string Topic, int Partition, long Offset, string? Metadata = null);

/// <summary>
/// Commit offsets. A member sends its member id and generation; an admin commit (no member, generation -1) is only
/// accepted for an Empty or unknown group.
/// </summary>
public sealed record CommitOffsets(
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    int GenerationId,
    ImmutableArray<OffsetCommitPartition> Offsets,
    long NowMs) : IGroupCommand;

/// <summary>Fetch committed offsets; an empty <see cref="Partitions"/> means every partition the group has an offset for.</summary>
public sealed record FetchOffsets(string GroupId, ImmutableArray<GroupTopicPartition> Partitions) : IGroupCommand;

/// <summary>Set offsets of an inactive (Empty or unknown) group: the admin resolves earliest / latest / datetime / shift-by to offsets first.</summary>
public sealed record ResetOffsets(string GroupId, ImmutableArray<OffsetCommitPartition> Offsets, long NowMs) : IGroupCommand;

/// <summary>Expire Empty groups' offsets older than <c>offsets.retention.minutes</c> (the actor sends it periodically).</summary>
public sealed record ExpireOffsets(long NowMs) : IGroupCommand;

/// <summary>List groups, optionally only those in the given states.</summary>
public sealed record ListGroups(ImmutableArray<GroupState> States) : IGroupCommand;

public sealed record DescribeGroup(string GroupId) : IGroupCommand;

/// <summary>Kafka's OffsetDelete: remove the partitions' committed offsets unless the group is subscribed to their topics.</summary>
public sealed record DeleteOffsets(string GroupId, ImmutableArray<GroupTopicPartition> Partitions, long NowMs) : IGroupCommand;

/// <summary>Delete an Empty group and its offsets (NON_EMPTY_GROUP otherwise).</summary>
public sealed record DeleteGroup(string GroupId, long NowMs) : IGroupCommand;
