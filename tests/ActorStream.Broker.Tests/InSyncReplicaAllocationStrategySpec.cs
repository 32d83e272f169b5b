using System.Collections.Immutable;
using Akka.Actor;
using Akka.Actor.Dsl;
using Akka.Cluster;
using Akka.Configuration;
using ActorStream.Broker.Partition;
using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Tests;

/// <summary>
/// The strategy against the shard coordinator's contract (DESIGN.md section 8), with an actor at the controller proxy's path
/// answering a fixed snapshot. Every region here is local, so all of them live at this system's node (node 7).
/// </summary>
public sealed class InSyncReplicaAllocationStrategySpec : Akka.TestKit.Xunit2.TestKit
{
    private const int ThisNode = 7;
    private const string TopicId = "0123456789abcdef0123456789abcdef";

    public InSyncReplicaAllocationStrategySpec()
        : base(ConfigurationFactory.ParseString("""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp.hostname = "127.0.0.1"
            akka.remote.dot-netty.tcp.port = 0
            akka.loglevel = WARNING
            """))
    {
        // The strategy only uses regions of Up members: this system is a one-node cluster.
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.State.Members.Any(m => m.Address == cluster.SelfAddress && m.Status == MemberStatus.Up), TimeSpan.FromSeconds(30));
    }

    private InSyncReplicaAllocationStrategy StartStrategy(params PartitionAssignment[] partitions) => StartStrategy(partitions, otherBrokers: []);

    private InSyncReplicaAllocationStrategy StartStrategy(PartitionAssignment[] partitions, (int NodeId, Address Address)[] otherBrokers)
    {
        var snapshot = new MetadataSnapshot
        {
            Brokers = { new Protocol.Client.BrokerNode { NodeId = ThisNode, Host = "127.0.0.1", Port = Cluster.Get(Sys).SelfAddress.Port ?? 0, Address = Cluster.Get(Sys).SelfAddress.ToString() } },
            Topics = { new TopicState { Name = "orders", TopicId = TopicId, Partitions = { partitions } } },
        };
        snapshot.Brokers.AddRange(otherBrokers.Select(b => new Protocol.Client.BrokerNode { NodeId = b.NodeId, Host = b.Address.Host, Port = b.Address.Port ?? 0, Address = b.Address.ToString() }));
        Sys.ActorOf(dsl => dsl.ReceiveAny((_, context) => context.Sender.Tell(snapshot)), "controller-proxy");
        return Started();
    }

    private InSyncReplicaAllocationStrategy Started()
    {
        var strategy = new InSyncReplicaAllocationStrategy(TimeSpan.FromMilliseconds(300), maxSimultaneousRebalance: 3);
        strategy.Start(Sys);
        return strategy;
    }

    private static string Shard(int partition) => new PartitionEntityId(TopicId, partition).ToString();

    private static IImmutableDictionary<IActorRef, IImmutableList<string>> Allocations(params (IActorRef Region, string[] Shards)[] regions) =>
        regions.ToImmutableDictionary(r => r.Region, r => (IImmutableList<string>)r.Shards.ToImmutableList());

    [Fact]
    public async Task A_partition_whose_in_sync_replica_runs_here_must_be_allocated_to_this_nodes_region()
    {
        var strategy = StartStrategy(new PartitionAssignment { Partition = 0, Replicas = { 3, ThisNode }, Isr = { 3, ThisNode } });
        var region = CreateTestProbe().Ref;
        Assert.Same(region, await strategy.AllocateShard(region, Shard(0), Allocations((region, []))));
    }

    [Fact]
    public async Task A_partition_without_a_live_in_sync_replica_must_fault_the_task_rather_than_throw_or_return_null()
    {
        // Node 7 holds a replica but is out of sync; node 3 is in sync but runs no region.
        var strategy = StartStrategy(new PartitionAssignment { Partition = 0, Replicas = { ThisNode, 3 }, Isr = { 3 } });
        var region = CreateTestProbe().Ref;

        var allocation = strategy.AllocateShard(region, Shard(0), Allocations((region, [])));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => allocation);
        Assert.Contains("no live in-sync replica", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shard_of_a_topic_the_controller_does_not_know_must_still_get_a_region()
    {
        var strategy = StartStrategy(new PartitionAssignment { Partition = 0, Replicas = { 3 }, Isr = { 3 } });
        var region = CreateTestProbe().Ref;
        var deletedTopicShard = new PartitionEntityId("fedcba9876543210fedcba9876543210", 0).ToString();
        Assert.Same(region, await strategy.AllocateShard(ActorRefs.Nobody, deletedTopicShard, Allocations((region, []))));
    }

    [Fact]
    public async Task Without_a_controller_answer_the_allocation_must_fault_and_the_rebalance_must_skip_the_round()
    {
        var strategy = Started();
        var region = CreateTestProbe().Ref;

        await Assert.ThrowsAsync<AskTimeoutException>(() => strategy.AllocateShard(region, Shard(0), Allocations((region, []))));
        Assert.Empty(await strategy.Rebalance(Allocations((region, [Shard(0)])), ImmutableHashSet<string>.Empty));
    }

    [Fact]
    public async Task A_partition_on_its_only_live_in_sync_replica_must_not_be_rebalanced()
    {
        // Preferred leader 3 is in sync but down: the partition stays on node 7.
        var strategy = StartStrategy(new PartitionAssignment { Partition = 0, Replicas = { 3, ThisNode }, Isr = { 3, ThisNode } });
        var region = CreateTestProbe().Ref;
        Assert.Empty(await strategy.Rebalance(Allocations((region, [Shard(0)])), ImmutableHashSet<string>.Empty));
    }

    [Fact]
    public async Task A_shard_whose_region_is_on_a_node_no_longer_in_the_cluster_must_be_left_to_the_coordinator()
    {
        // Node 3 led the partition and has been removed; the coordinator has not yet seen its region terminate. Handing the
        // shard off to that region would stall the partition for the coordinator's whole handoff-timeout.
        var gone = new Address(Cluster.Get(Sys).SelfAddress.Protocol, Sys.Name, "127.0.0.1", 1);
        var strategy = StartStrategy([new PartitionAssignment { Partition = 0, Replicas = { 3, ThisNode }, Isr = { ThisNode } }], [(3, gone)]);
        var deadRegion = ((ExtendedActorSystem)Sys).Provider.ResolveActorRef(gone + "/system/sharding/partition");
        var localRegion = CreateTestProbe().Ref;
        var allocations = Allocations((deadRegion, [Shard(0)]), (localRegion, []));

        Assert.Empty(await strategy.Rebalance(allocations, ImmutableHashSet<string>.Empty));
        Assert.Same(localRegion, await strategy.AllocateShard(localRegion, Shard(0), Allocations((deadRegion, []), (localRegion, []))));
    }
}
