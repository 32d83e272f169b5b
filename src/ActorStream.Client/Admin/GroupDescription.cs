namespace ActorStream.Client.Admin;

/// <summary>One group of <see cref="AdminClient.ListGroupsAsync"/>.</summary>
public sealed record GroupListing(string GroupId, string State, string ProtocolType);

/// <summary>A group member and the partitions assigned to it.</summary>
public sealed record GroupMemberInfo(string MemberId, string? GroupInstanceId, string ClientId, IReadOnlyList<string> Topics, IReadOnlyList<TopicPartition> Assignment);

/// <summary>A partition's committed offset (null: none), log end offset, lag (log end − committed) and owner.</summary>
public sealed record GroupPartitionOffset(TopicPartition TopicPartition, long? CommittedOffset, long LogEndOffset, long? Lag, string? MemberId);

/// <summary>Result of <see cref="AdminClient.DescribeGroupAsync"/>.</summary>
public sealed record GroupDescription(
    string GroupId,
    string State,
    string ProtocolType,
    int GenerationId,
    string? ProtocolName,
    IReadOnlyList<GroupMemberInfo> Members,
    IReadOnlyList<GroupPartitionOffset> Offsets)
{
    /// <summary>The node hosting the group coordinator when the group was described (-1: unknown).</summary>
    public int CoordinatorId { get; init; } = -1;
}
