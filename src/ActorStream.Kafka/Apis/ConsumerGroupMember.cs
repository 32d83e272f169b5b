using System.Collections.Immutable;

namespace ActorStream.Kafka.Apis;

/// <summary>One KIP-848 member as the gateway last saw it (topics as names; the coordinator speaks names).</summary>
internal sealed record ConsumerGroupMember(
    string MemberId,
    string? InstanceId,
    ImmutableArray<string> Topics,
    string? TopicRegex,
    string ServerAssignor,
    int RebalanceTimeoutMs,
    ImmutableArray<(string Topic, int Partition)> Owned,
    int Epoch,
    ImmutableArray<(string Topic, int Partition)> Assignment,
    ImmutableArray<(string Topic, int Partition)> PendingRevocation)
{
    /// <summary><see cref="Environment.TickCount64"/> at the member's last heartbeat.</summary>
    public long LastHeartbeatMs { get; init; }

    public bool SameSubscription(ConsumerGroupMember other) =>
        Topics.ToHashSet(StringComparer.Ordinal).SetEquals(other.Topics)
        && string.Equals(TopicRegex, other.TopicRegex, StringComparison.Ordinal)
        && string.Equals(ServerAssignor, other.ServerAssignor, StringComparison.Ordinal);

    public bool SameOwned(ConsumerGroupMember other) => Owned.ToHashSet().SetEquals(other.Owned);
}
