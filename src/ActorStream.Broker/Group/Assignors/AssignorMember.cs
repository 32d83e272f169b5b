using System.Collections.Immutable;

namespace ActorStream.Broker.Group.Assignors;

/// <summary>One member as an assignor sees it: its subscribed topics and the partitions it currently owns.</summary>
public sealed record AssignorMember(
    string MemberId,
    string? GroupInstanceId,
    ImmutableArray<string> Topics,
    ImmutableArray<GroupTopicPartition> OwnedPartitions)
{
    public AssignorMember(string memberId, params string[] topics)
        : this(memberId, null, [.. topics], [])
    {
    }

    /// <summary>
    /// Kafka's <c>MemberInfo</c> order: static members (by group.instance.id) before dynamic ones (by member id), so a static
    /// member that restarts with a new member id keeps its place.
    /// </summary>
    public static IComparer<AssignorMember> Comparer { get; } = Comparer<AssignorMember>.Create(static (a, b) =>
    {
        if (a.GroupInstanceId is not null && b.GroupInstanceId is not null)
        {
            var byInstance = string.CompareOrdinal(a.GroupInstanceId, b.GroupInstanceId);
            return byInstance != 0 ? byInstance : string.CompareOrdinal(a.MemberId, b.MemberId);
        }

        if (a.GroupInstanceId is not null)
        {
            return -1;
        }

        return b.GroupInstanceId is not null ? 1 : string.CompareOrdinal(a.MemberId, b.MemberId);
    });

    public bool Subscribes(string topic) => Topics.Contains(topic, StringComparer.Ordinal);
}
