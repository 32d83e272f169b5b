namespace ActorStream.Broker.Partition;

/// <summary>
/// Where a partition's actor (its leader) may run, from node ids alone. Unclean leader election is disabled: only a
/// member of the in-sync replica set (ISR) may lead, because only it is known to hold every committed record.
/// </summary>
public static class LeaderPlacement
{
    /// <summary>
    /// The preferred leader (the first replica) when it is alive and in sync, else the first in-sync replica in replica
    /// order that is alive; <c>null</c> when no in-sync replica is alive (the partition stays offline until one returns).
    /// </summary>
    public static int? ChooseLeader(IReadOnlyList<int> replicas, IReadOnlyCollection<int> isr, IReadOnlySet<int> liveNodes)
    {
        foreach (var replica in replicas)
        {
            if (isr.Contains(replica) && liveNodes.Contains(replica))
            {
                return replica;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a partition led by <paramref name="currentLeader"/> (<c>null</c>: a node not in the metadata) should move:
    /// back to its preferred leader once that is alive and in sync again (Kafka's <c>auto.leader.rebalance</c>), or off a
    /// node outside the ISR as soon as an in-sync replica is alive. A partition on an in-sync replica other than the first
    /// one stays put unless the preferred leader can take it: moving between two equally good nodes would only cost an
    /// election.
    /// </summary>
    public static bool ShouldMove(int? currentLeader, IReadOnlyList<int> replicas, IReadOnlyCollection<int> isr, IReadOnlySet<int> liveNodes)
    {
        if (ChooseLeader(replicas, isr, liveNodes) is not { } chosen || chosen == currentLeader)
        {
            return false;
        }

        var choseThePreferredLeader = chosen == replicas[0];
        var currentIsInSync = currentLeader is { } current && isr.Contains(current);
        return choseThePreferredLeader || !currentIsInSync;
    }
}
