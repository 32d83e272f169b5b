namespace ActorStream.Broker.Partition;

/// <summary>Which partition shards a rebalance round hands off so that they restart where <see cref="LeaderPlacement"/> wants them.</summary>
public static class LeaderRebalance
{
    /// <summary>
    /// The misplaced shards (<see cref="LeaderPlacement.ShouldMove"/>) not already being handed off, in shard id order, at most
    /// <paramref name="maxSimultaneous"/> minus those in progress: every move is an election and a log recovery on the new
    /// node, so a returning node takes its partitions back over a few rounds rather than all at once.
    /// </summary>
    public static IReadOnlyList<string> ShardsToMove(
        IEnumerable<HostedPartition> hosted, IReadOnlySet<string> inProgress, IReadOnlySet<int> liveNodes, int maxSimultaneous)
    {
        var room = maxSimultaneous - inProgress.Count;
        if (room <= 0)
        {
            return [];
        }

        return hosted
            .Where(p => !inProgress.Contains(p.ShardId) && LeaderPlacement.ShouldMove(p.HostNode, p.Replicas, p.Isr, liveNodes))
            .Select(p => p.ShardId)
            .Order(StringComparer.Ordinal)
            .Take(room)
            .ToList();
    }
}
