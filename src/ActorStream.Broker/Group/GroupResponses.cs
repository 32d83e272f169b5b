using System.Collections.Immutable;
using ActorStream.Protocol;
using Google.Protobuf;

namespace ActorStream.Broker.Group;

/// <summary>A member as the classic or Kafka leader sees it in its JoinGroup reply.</summary>
public sealed record JoinGroupMember(
    string MemberId,
    string? GroupInstanceId,
    ImmutableArray<string> Topics,
    string? TopicPattern,
    ImmutableArray<GroupTopicPartition> OwnedPartitions)
{
    /// <summary>Kafka mode: the member's metadata for the chosen protocol.</summary>
    public ByteString Metadata { get; init; } = ByteString.Empty;
}

/// <summary>
/// Reply to JoinGroup. <see cref="Pending"/>: the member is in the current round but other members still have to rejoin;
/// the actor parks the request and answers it with <see cref="GroupCoordinatorShard.JoinResponseFor"/> once a
/// <see cref="GenerationCompleted"/> event has been applied (or UNKNOWN_MEMBER_ID if the member was removed meanwhile).
/// Native mode: <see cref="Assignment"/> is the member's partitions. Classic and Kafka mode: the leader gets <see cref="Members"/>.
/// </summary>
public sealed record JoinGroupResponse(
    ErrorCode Error,
    string MemberId,
    int GenerationId,
    string? ProtocolName,
    string? LeaderId,
    bool Pending,
    ImmutableArray<GroupTopicPartition> Assignment,
    ImmutableArray<JoinGroupMember> Members)
{
    /// <summary>Kafka mode: the group's protocol type.</summary>
    public string? ProtocolType { get; init; }

    /// <summary>Kafka mode: a static leader rejoined a Stable group; it must not compute a new assignment (KIP-814).</summary>
    public bool SkipAssignment { get; init; }

    public static JoinGroupResponse Failed(ErrorCode error, string memberId = "") =>
        new(error, memberId, -1, null, null, false, [], []);
}

/// <summary>
/// Reply to SyncGroup. <see cref="Pending"/>: a classic follower synced before the leader; the actor parks it and answers with
/// <see cref="GroupCoordinatorShard.SyncResponseFor"/> once <see cref="AssignmentSynced"/> is applied (REBALANCE_IN_PROGRESS if a
/// new rebalance started instead).
/// </summary>
public sealed record SyncGroupResponse(ErrorCode Error, bool Pending, ImmutableArray<GroupTopicPartition> Assignment)
{
    /// <summary>Kafka mode: the leader's assignment bytes for the member.</summary>
    public ByteString KafkaAssignment { get; init; } = ByteString.Empty;

    public string? ProtocolType { get; init; }

    public string? ProtocolName { get; init; }

    public static SyncGroupResponse Failed(ErrorCode error) => new(error, false, []);
}

public sealed record HeartbeatResponse(ErrorCode Error);

public sealed record LeaveGroupResponse(ErrorCode Error);

/// <summary><see cref="Expired"/> when the member was removed; otherwise <see cref="DeadlineMs"/> is when to check again (-1: no timer needed).</summary>
public sealed record MemberExpiredResponse(ErrorCode Error, bool Expired, long DeadlineMs);

/// <summary>Members removed by the rebalance timeout; <see cref="DeadlineMs"/> is when the timeout is due if it was not yet (-1: no rebalance).</summary>
public sealed record RebalanceTimeoutResponse(ImmutableArray<string> RemovedMembers, long DeadlineMs);

/// <summary><see cref="DeadlineMs"/>: when to look again (the delay was extended), -1 when the delay is over.</summary>
public sealed record InitialRebalanceDelayResponse(long DeadlineMs);

/// <summary>The groups that started a rebalance because of the topic change.</summary>
public sealed record TopicMetadataChangedResponse(ImmutableArray<string> RebalancingGroups);

/// <summary>One code per partition, as Kafka's OffsetCommit reply.</summary>
public sealed record OffsetCommitPartitionResult(string Topic, int Partition, ErrorCode Error);

public sealed record CommitOffsetsResponse(ImmutableArray<OffsetCommitPartitionResult> Partitions);

/// <summary>A fetched offset; <see cref="Offset"/> is -1 when the group has none for the partition.</summary>
public sealed record OffsetFetchPartitionResult(string Topic, int Partition, long Offset, string? Metadata, ErrorCode Error);

public sealed record FetchOffsetsResponse(ErrorCode Error, ImmutableArray<OffsetFetchPartitionResult> Partitions);

public sealed record ResetOffsetsResponse(ErrorCode Error, ImmutableArray<OffsetCommitPartitionResult> Partitions);

/// <summary>Per group: how many offsets expired and whether the group was deleted because none were left.</summary>
public sealed record ExpiredGroupOffsets(string GroupId, int ExpiredOffsets, bool GroupDeleted);

public sealed record ExpireOffsetsResponse(ImmutableArray<ExpiredGroupOffsets> Groups);

/// <summary><see cref="ProtocolType"/>: the Kafka protocol type of a Kafka-mode group (kept once it is Empty), else null.</summary>
public sealed record GroupListing(string GroupId, GroupState State, GroupProtocolMode? Mode, string? ProtocolType = null);

public sealed record ListGroupsResponse(ImmutableArray<GroupListing> Groups);

/// <summary>A member as admins see it: <see cref="Topics"/> and <see cref="TopicPattern"/> as it subscribed, unresolved.</summary>
public sealed record MemberDescription(
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    ImmutableArray<string> Topics,
    string? TopicPattern,
    ImmutableArray<GroupTopicPartition> Assignment,
    ImmutableArray<GroupTopicPartition> PendingRevocation)
{
    public string ClientHost { get; init; } = "";

    /// <summary>Kafka mode: the member's metadata for the group's protocol.</summary>
    public ByteString Metadata { get; init; } = ByteString.Empty;

    /// <summary>Kafka mode: the leader's assignment bytes for the member.</summary>
    public ByteString KafkaAssignment { get; init; } = ByteString.Empty;
}

public sealed record OffsetDescription(string Topic, int Partition, long Offset, string? Metadata, long CommitTimestampMs);

/// <summary>Everything about a group, members and offsets sorted (so two descriptions of the same state print the same).</summary>
public sealed record GroupDescription(
    string GroupId,
    GroupState State,
    GroupProtocolMode? Mode,
    int GenerationId,
    string? ProtocolName,
    string? LeaderId,
    ImmutableArray<MemberDescription> Members,
    ImmutableArray<OffsetDescription> Offsets)
{
    /// <summary>Kafka mode: the group's Kafka protocol type (kept once it is Empty), else null.</summary>
    public string? ProtocolType { get; init; }
}

public sealed record DescribeGroupResponse(ErrorCode Error, GroupDescription? Group);

public sealed record DeleteGroupResponse(ErrorCode Error);

/// <summary>Kafka's OffsetDelete reply: a whole-request error, else one code per partition.</summary>
public sealed record DeleteOffsetsResponse(ErrorCode Error, ImmutableArray<OffsetCommitPartitionResult> Partitions);
