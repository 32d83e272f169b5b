using ActorStream.Broker.Partition;

namespace ActorStream.Broker.Tests;

/// <summary>Where a partition may lead, from replicas, ISR and the nodes that run a shard region.</summary>
public sealed class LeaderPlacementSpec
{
    [Fact]
    public void The_preferred_leader_must_be_chosen_when_it_is_alive_and_in_sync() =>
        Assert.Equal(2, LeaderPlacement.ChooseLeader([2, 0, 1], isr: [0, 1, 2], liveNodes: new HashSet<int> { 0, 1, 2 }));

    [Fact]
    public void Without_a_live_preferred_leader_the_first_live_in_sync_replica_in_replica_order_must_be_chosen() =>
        // ISR order (1 before 0) must not matter: replica order decides, as Kafka's election does.
        Assert.Equal(0, LeaderPlacement.ChooseLeader([2, 0, 1], isr: [1, 0, 2], liveNodes: new HashSet<int> { 0, 1 }));

    [Fact]
    public void A_preferred_leader_out_of_the_isr_must_be_skipped_even_when_alive() =>
        Assert.Equal(1, LeaderPlacement.ChooseLeader([2, 0, 1], isr: [1], liveNodes: new HashSet<int> { 0, 1, 2 }));

    [Fact]
    public void A_replica_outside_the_isr_must_never_be_chosen_even_when_it_is_the_only_live_one() =>
        Assert.Null(LeaderPlacement.ChooseLeader([2, 0, 1], isr: [2, 1], liveNodes: new HashSet<int> { 0, 3 }));

    [Fact]
    public void An_empty_isr_must_give_no_leader() =>
        Assert.Null(LeaderPlacement.ChooseLeader([0, 1], isr: [], liveNodes: new HashSet<int> { 0, 1 }));

    [Fact]
    public void A_live_node_without_a_replica_must_never_be_chosen() =>
        Assert.Null(LeaderPlacement.ChooseLeader([1], isr: [1], liveNodes: new HashSet<int> { 0, 2 }));

    [Fact]
    public void A_partition_away_from_its_live_in_sync_preferred_leader_must_move() =>
        Assert.True(LeaderPlacement.ShouldMove(currentLeader: 1, [0, 1], isr: [0, 1], liveNodes: new HashSet<int> { 0, 1 }));

    [Fact]
    public void A_partition_on_its_preferred_leader_must_stay() =>
        Assert.False(LeaderPlacement.ShouldMove(currentLeader: 0, [0, 1], isr: [0, 1], liveNodes: new HashSet<int> { 0, 1 }));

    [Fact]
    public void A_partition_must_not_move_to_a_preferred_leader_that_is_out_of_sync() =>
        Assert.False(LeaderPlacement.ShouldMove(currentLeader: 1, [0, 1], isr: [1], liveNodes: new HashSet<int> { 0, 1 }));

    [Fact]
    public void A_partition_must_not_move_while_its_preferred_leader_is_down() =>
        Assert.False(LeaderPlacement.ShouldMove(currentLeader: 1, [0, 1], isr: [0, 1], liveNodes: new HashSet<int> { 1 }));

    [Fact]
    public void A_partition_on_a_non_preferred_in_sync_replica_must_stay_when_the_preferred_leader_cannot_take_it() =>
        // The first live in-sync replica is 1, but 2 is in sync too: moving between them would only cost an election.
        Assert.False(LeaderPlacement.ShouldMove(currentLeader: 2, [0, 1, 2], isr: [1, 2], liveNodes: new HashSet<int> { 0, 1, 2 }));

    [Theory]
    [InlineData(3)] // a node without a replica (placed before this strategy, or by an older one)
    [InlineData(2)] // a replica that dropped out of the ISR
    [InlineData(null)] // a node not in the metadata
    public void A_partition_on_a_node_outside_the_isr_must_move_to_a_live_in_sync_replica(int? currentLeader) =>
        Assert.True(LeaderPlacement.ShouldMove(currentLeader, [0, 1, 2], isr: [1], liveNodes: new HashSet<int> { 0, 1, 2, 3 }));

    [Fact]
    public void A_partition_outside_the_isr_must_stay_when_no_in_sync_replica_is_alive() =>
        Assert.False(LeaderPlacement.ShouldMove(currentLeader: 2, [0, 1, 2], isr: [1], liveNodes: new HashSet<int> { 0, 2 }));
}
