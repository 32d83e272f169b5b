using System.Collections.Immutable;

namespace ActorStream.Broker.Group;

/// <summary>
/// Turns an assignor's target into the assignment members get, and the partitions each member must give up.
/// With <c>withholdUntilRevoked</c> (cooperative, KIP-429) a partition goes to its target member only if no other member
/// holds it now; otherwise nobody gets it in this generation, its holders are told to revoke it, and it is assigned in the
/// next generation (the holder rejoins after revoking). So no partition is ever assigned to a member while another holds it.
/// A member's pending revocations are the partitions it holds that nobody gets in the new generation: it may still
/// commit them (the cooperative consumer commits in onPartitionsRevoked, after the new generation began).
/// </summary>
internal static class RevocationPlan
{
    public static (ImmutableArray<MemberAssignment> Assignments, ImmutableArray<MemberAssignment> PendingRevocations) Plan(
        IReadOnlyDictionary<string, ImmutableArray<GroupTopicPartition>> target,
        IReadOnlyDictionary<string, ImmutableArray<GroupTopicPartition>> held,
        bool withholdUntilRevoked)
    {
        var holders = new Dictionary<GroupTopicPartition, HashSet<string>>();
        foreach (var (memberId, partitions) in held)
        {
            foreach (var partition in partitions)
            {
                if (!holders.TryGetValue(partition, out var set))
                {
                    holders[partition] = set = new HashSet<string>(StringComparer.Ordinal);
                }

                set.Add(memberId);
            }
        }

        var assignments = target.Keys.Order(StringComparer.Ordinal)
            .Select(memberId => new MemberAssignment(memberId, target[memberId]
                .Where(p => !withholdUntilRevoked || !holders.TryGetValue(p, out var by) || by.All(h => string.Equals(h, memberId, StringComparison.Ordinal)))
                .Distinct()
                .Order(GroupTopicPartition.Comparer)
                .ToImmutableArray()))
            .ToImmutableArray();
        return (assignments, PendingRevocations(assignments, held));
    }

    /// <summary>Partitions each member holds that nobody is assigned in <paramref name="assignments"/> (members with none are left out).</summary>
    public static ImmutableArray<MemberAssignment> PendingRevocations(
        ImmutableArray<MemberAssignment> assignments,
        IReadOnlyDictionary<string, ImmutableArray<GroupTopicPartition>> held)
    {
        var assigned = assignments.SelectMany(a => a.Partitions).ToHashSet();
        return held.Keys.Order(StringComparer.Ordinal)
            .Select(memberId => new MemberAssignment(memberId, held[memberId]
                .Where(p => !assigned.Contains(p))
                .Distinct()
                .Order(GroupTopicPartition.Comparer)
                .ToImmutableArray()))
            .Where(a => !a.Partitions.IsEmpty)
            .ToImmutableArray();
    }
}
