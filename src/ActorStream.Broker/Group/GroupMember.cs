using System.Collections.Immutable;
using Google.Protobuf;

namespace ActorStream.Broker.Group;

/// <summary>
/// A member of a group, keyed by <see cref="MemberId"/> (never by actor reference).
/// <see cref="OwnedPartitions"/> is what the member declared it holds in its latest JoinGroup (KIP-429's ownedPartitions);
/// <see cref="Assignment"/> is what the coordinator assigned it in the current generation; <see cref="PendingRevocation"/>
/// are partitions it held and must give up that nobody else holds yet (it may still commit them).
/// <see cref="TopicPattern"/> (native mode only) subscribes the member to every known topic whose whole name matches it, in
/// addition to <see cref="Topics"/>; the shard resolves it against the topics it knows whenever it assigns.
/// Kafka mode (<see cref="GroupProtocolMode.Kafka"/>): <see cref="ProtocolMetadata"/> is the member's metadata per protocol
/// (the same names as <see cref="Protocols"/>, in preference order), <see cref="ClientHost"/> its address as Kafka reports it,
/// <see cref="KafkaAssignment"/> the leader's assignment bytes for it (its decoded partitions are <see cref="Assignment"/>).
/// The last heartbeat time is soft state kept by <see cref="GroupCoordinatorShard"/>, not part of the journal.
/// </summary>
public sealed record GroupMember(
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    ImmutableArray<string> Protocols,
    ImmutableArray<string> Topics,
    string? TopicPattern,
    ImmutableArray<GroupTopicPartition> OwnedPartitions,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    ImmutableArray<GroupTopicPartition> Assignment,
    ImmutableArray<GroupTopicPartition> PendingRevocation)
{
    public ImmutableArray<GroupProtocolMetadata> ProtocolMetadata { get; init; } = [];

    public string ClientHost { get; init; } = "";

    public ByteString KafkaAssignment { get; init; } = ByteString.Empty;

    public bool IsStatic => GroupInstanceId is not null;

    /// <summary>Kafka mode: the member's metadata for <paramref name="protocol"/> (empty when it has none).</summary>
    public ByteString MetadataFor(string? protocol) =>
        ProtocolMetadata.FirstOrDefault(p => string.Equals(p.Name, protocol, StringComparison.Ordinal))?.Metadata ?? ByteString.Empty;

    /// <summary>True when the member holds <paramref name="partition"/> in the current generation (assigned, or being revoked and not yet anyone else's).</summary>
    public bool Holds(GroupTopicPartition partition) => Assignment.Contains(partition) || PendingRevocation.Contains(partition);
}
