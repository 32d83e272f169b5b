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
    private readonly ConcurrentDictionary<(string GroupId, string MemberId), ConsumerGroupMember> _members = new();

    public ConsumerGroupMembers(ConsumerGroupProtocolSettings settings)
    {
        Settings = settings;
    }

    public ConsumerGroupProtocolSettings Settings { get; }

    public static ConsumerGroupMembers Get(ActorSystem system) => system.WithExtension<ConsumerGroupMembers, ConsumerGroupMembersProvider>();

    public ConsumerGroupMember? Find(string groupId, string memberId) => _members.GetValueOrDefault((groupId, memberId));

    public void Remember(string groupId, ConsumerGroupMember member) => _members[(groupId, member.MemberId)] = member;

    public void Forget(string groupId, string memberId) => _members.TryRemove((groupId, memberId), out _);
}

internal sealed class ConsumerGroupMembersProvider : ExtensionIdProvider<ConsumerGroupMembers>
{
    public override ConsumerGroupMembers CreateExtension(ExtendedActorSystem system) =>
        new(ConsumerGroupProtocolSettings.Create(system.Settings.Config));
}
