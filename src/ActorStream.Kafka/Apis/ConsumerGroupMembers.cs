using System.Collections.Concurrent;
using Akka.Actor;
using ActorStream.Kafka.Hosting;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// What the gateway remembers of each KIP-848 member (per node, an Akka extension): a ConsumerGroupHeartbeat sends its
/// subscription and owned partitions only when they changed (null otherwise), while each JoinGroup the coordinator gets
/// carries them in full. Also the epoch and assignment last answered, so a plain heartbeat is answered without asking
/// the coordinator for the assignment. Soft state: a miss (another node was the coordinator, a restart) is rebuilt from
/// DescribeGroup, and librdkafka sends a full heartbeat after any coordinator error anyway.
/// </summary>
internal sealed class ConsumerGroupMembers : IExtension
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ConsumerGroupMember>> _groups = new(StringComparer.Ordinal);

    public ConsumerGroupMembers(ConsumerGroupProtocolSettings settings)
    {
        Settings = settings;
    }

    public ConsumerGroupProtocolSettings Settings { get; }

    public static ConsumerGroupMembers Get(ActorSystem system) => system.WithExtension<ConsumerGroupMembers, ConsumerGroupMembersProvider>();

    public ConsumerGroupMember? Find(string groupId, string memberId) =>
        _groups.TryGetValue(groupId, out var members) ? members.GetValueOrDefault(memberId) : null;

    /// <summary>Remembers the member as it heartbeated just now.</summary>
    public void Remember(string groupId, ConsumerGroupMember member) =>
        _groups.GetOrAdd(groupId, _ => new ConcurrentDictionary<string, ConsumerGroupMember>(StringComparer.Ordinal))[member.MemberId] =
            member with { LastHeartbeatMs = Environment.TickCount64 };

    public void Forget(string groupId, string memberId)
    {
        if (_groups.TryGetValue(groupId, out var members))
        {
            members.TryRemove(memberId, out _);
        }
    }

    /// <summary>
    /// The partitions other KIP-848 members of the group said they own in their last heartbeat, if that was within the
    /// session timeout (a member silent for longer is gone, or about to be removed by the coordinator).
    /// </summary>
    public HashSet<(string Topic, int Partition)> OwnedByOthers(string groupId, string memberId)
    {
        var owned = new HashSet<(string Topic, int Partition)>();
        if (_groups.TryGetValue(groupId, out var members))
        {
            var alive = Environment.TickCount64 - Settings.SessionTimeoutMs;
            foreach (var other in members.Values)
            {
                if (other.MemberId != memberId && other.LastHeartbeatMs >= alive)
                {
                    owned.UnionWith(other.Owned);
                }
            }
        }

        return owned;
    }
}

internal sealed class ConsumerGroupMembersProvider : ExtensionIdProvider<ConsumerGroupMembers>
{
    public override ConsumerGroupMembers CreateExtension(ExtendedActorSystem system) =>
        new(ConsumerGroupProtocolSettings.Create(system.Settings.Config));
}
