using ActorStream.Broker.Partition;

namespace ActorStream.Broker.Tests;

/// <summary>Which partition shards one rebalance round hands off.</summary>
public sealed class LeaderRebalanceSpec
{
    private static readonly HashSet<int> AllAlive = [0, 1, 2];
    private static readonly HashSet<string> NoneInProgress = [];

    [Fact]
    public void Only_shards_away_from_a_live_in_sync_preferred_leader_must_be_picked()
    {
        HostedPartition[] hosted =
        [
            new("t-0", HostNode: 0, Replicas: [0, 1], Isr: [0, 1]), // on its preferred leader
            new("t-1", HostNode: 0, Replicas: [1, 0], Isr: [1, 0]), // preferred leader 1 is back
            new("t-2", HostNode: 2, Replicas: [1, 2], Isr: [2]), // preferred leader 1 is alive but out of sync
            new("t-3", HostNode: 1, Replicas: [2, 1], Isr: [2, 1]), // preferred leader 2 is back
        ];

        Assert.Equal(["t-1", "t-3"], LeaderRebalance.ShardsToMove(hosted, NoneInProgress, AllAlive, maxSimultaneous: 10));
    }

    [Fact]
    public void A_shard_whose_preferred_leader_is_down_must_not_be_picked()
    {
        HostedPartition[] hosted = [new("t-0", HostNode: 1, Replicas: [0, 1], Isr: [0, 1])];
        Assert.Empty(LeaderRebalance.ShardsToMove(hosted, NoneInProgress, liveNodes: new HashSet<int> { 1, 2 }, maxSimultaneous: 10));
    }

    [Fact]
    public void Shards_already_being_handed_off_must_not_be_picked_again_and_must_count_against_the_limit()
    {
        var hosted = Enumerable.Range(0, 5).Select(p => new HostedPartition($"t-{p}", HostNode: 1, Replicas: [0, 1], Isr: [0, 1])).ToList();
        var moving = LeaderRebalance.ShardsToMove(hosted, inProgress: new HashSet<string> { "t-0" }, AllAlive, maxSimultaneous: 3);
        Assert.Equal(["t-1", "t-2"], moving);
    }

    [Fact]
    public void A_round_must_pick_at_most_the_limit_in_shard_id_order()
    {
        var hosted = new[] { 4, 2, 0, 3, 1 }.Select(p => new HostedPartition($"t-{p}", HostNode: 1, Replicas: [0, 1], Isr: [0, 1])).ToList();
        Assert.Equal(["t-0", "t-1"], LeaderRebalance.ShardsToMove(hosted, NoneInProgress, AllAlive, maxSimultaneous: 2));
    }

    [Fact]
    public void No_shard_must_be_picked_while_the_limit_is_used_up_by_shards_in_progress()
    {
        HostedPartition[] hosted = [new("t-0", HostNode: 1, Replicas: [0, 1], Isr: [0, 1])];
        Assert.Empty(LeaderRebalance.ShardsToMove(hosted, inProgress: new HashSet<string> { "x-0", "x-1" }, AllAlive, maxSimultaneous: 2));
    }
}
