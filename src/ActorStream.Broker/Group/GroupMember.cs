using System.Collections.Immutable;

namespace ActorStream.Broker.Group;

/// <summary>
/// A member of a group, keyed by <see cref="MemberId"/> (never by actor reference).
/// <see cref="OwnedPartitions"/> is what the member declared it holds in its latest JoinGroup (KIP-429's ownedPartitions);
/// <see cref="Assignment"/> is what the coordinator assigned it in the current generation; <see cref="PendingRevocation"/>
/// are partitions it held and must give up that nobody else holds yet (it may still commit them).
/// <see cref="TopicPattern"/> (native mode only) subscribes the member to every known topic whose whole name matches it, in
/// addition to <see cref="Topics"/>; the shard resolves it against the topics it knows whenever it assigns.
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
    public bool IsStatic => GroupInstanceId is not null;

    /// <summary>True when the member holds <paramref name="partition"/> in the current generation (assigned, or being revoked and not yet anyone else's).</summary>
    public bool Holds(GroupTopicPartition partition) => Assignment.Contains(partition) || PendingRevocation.Contains(partition);
}
