namespace ActorStream.Client.Admin;

/// <summary>
/// One group of <see cref="AdminClient.ListGroupsAsync"/>. <see cref="ProtocolType"/> is how its members get their assignment:
/// "native", "classic" (native clients), "kafka" (Kafka clients through the Kafka listener), "" without members;
/// <see cref="KafkaProtocolType"/> is what Kafka's tools see: a Kafka group's protocol type, "consumer" for the others.
/// </summary>
public sealed record GroupListing(string GroupId, string State, string ProtocolType)
{
    public string KafkaProtocolType { get; init; } = "consumer";
}

/// <summary>A group member and the partitions assigned to it (for a Kafka client: as decoded from its leader's assignment).</summary>
public sealed record GroupMemberInfo(string MemberId, string? GroupInstanceId, string ClientId, IReadOnlyList<string> Topics, IReadOnlyList<TopicPartition> Assignment)
{
    /// <summary>A Kafka client's address as Kafka reports it ("/127.0.0.1"); empty for native clients.</summary>
    public string ClientHost { get; init; } = "";
}

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
