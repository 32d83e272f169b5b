using Akka.Actor;
using ActorStream.TestKit;
using ActorStream.Broker.Logs;
using ActorStream.Broker.Partition;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Tests;

/// <summary>
/// Partitions start on the node holding their replica (<see cref="InSyncReplicaAllocationStrategy"/>). With replication
/// factor 1 anywhere else the controller refuses the election, so a misplaced partition would never lead: CreateTopics would
/// wait out its request timeout, produces would time out, and no node would have the partition's log.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class PartitionPlacementSpec
{
    private const int Partitions = 6;

    [Fact]
    public async Task Each_partition_must_lead_and_keep_its_log_only_on_the_node_holding_its_replica()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var topic = "placed-" + Guid.NewGuid().ToString("N")[..12];

        var created = await cluster[1].Endpoint.Ask<CreateTopicsResponse>(
            new CreateTopicsRequest { Topics = { new CreatableTopic { Name = topic, NumPartitions = Partitions, ReplicationFactor = 1, Configs = { ["min.insync.replicas"] = "1" } } } }, TestCluster.Timeout);
        Assert.Equal(0, created.Results.Single().ErrorCode);

        var snapshot = await cluster[0].System.ActorSelection(InSyncReplicaAllocationStrategy.ControllerProxyPath)
            .Ask<MetadataSnapshot>(new GetMetadataSnapshot(), TestCluster.Timeout);
        var state = snapshot.Topics.Single(t => t.Name == topic);
        var replicaOf = state.Partitions.ToDictionary(p => p.Partition, p => p.Replicas.Single());
        Assert.Equal([0, 1, 2], replicaOf.Values.Distinct().Order());
        // CreateTopics answers once every partition has a leader (or after its 30 s timeout): each one was elected where
        // its replica is.
        Assert.All(state.Partitions, p => Assert.Equal(replicaOf[p.Partition], p.LeaderId));

        foreach (var (partition, node) in replicaOf)
        {
            // Clients produce to the leader; its endpoint learns the new topic from the controller's published metadata.
            await Eventually.TrueAsync(() => LeaderKnownToEndpointAsync(cluster[node], topic, partition), TestCluster.Timeout, $"node {node} sees itself leading {topic}-{partition}");
            var produced = await cluster[node].Endpoint.Ask<ProduceResponse>(
                new ProduceRequest { Acks = -1, TimeoutMs = 30_000, Partitions = { new ProducePartitionData { Topic = topic, Partition = partition, Records = NodeFixture.Batch(2, $"p{partition}-") } } },
                TestCluster.Timeout);
            var result = produced.Partitions.Single();
            Assert.True(result.ErrorCode == 0, $"produce to {topic}-{partition} on node {node}: error {result.ErrorCode} {result.ErrorMessage}");
            Assert.Equal(0, result.BaseOffset);
        }

        foreach (var (partition, node) in replicaOf)
        {
            var directory = LogManager.DirectoryName(topic, partition, state.TopicId);
            var holders = cluster.Running.Where(i => Directory.Exists(Path.Combine(cluster.DataDir(i), "logs", directory)));
            Assert.Equal([node], holders);
        }
    }

    [Fact]
    public async Task Leadership_must_move_to_the_other_in_sync_replica_while_the_preferred_leader_is_away_and_back_when_it_returns()
    {
        // Rebalance rounds every second instead of 10: the return move happens within a round or two.
        await using var cluster = await TestCluster.StartAsync(2, extra: "akka.cluster.sharding.rebalance-interval = 1s");
        var topic = "preferred-" + Guid.NewGuid().ToString("N")[..12];
        var created = await cluster[0].Endpoint.Ask<CreateTopicsResponse>(
            new CreateTopicsRequest { Topics = { new CreatableTopic { Name = topic, NumPartitions = 2, ReplicationFactor = 2 } } }, TestCluster.Timeout);
        Assert.Equal(0, created.Results.Single().ErrorCode);
        // Node 0 is the oldest (the coordinators and the controller stay there); node 1 is the preferred leader of one partition.
        var partition = (await PartitionsAsync(cluster, topic)).Single(p => p.Replicas[0] == 1);
        Assert.Equal(1, partition.LeaderId);

        await cluster.StopNodeAsync(1);
        await Eventually.TrueAsync(
            async () => (await PartitionsAsync(cluster, topic)).Single(p => p.Partition == partition.Partition).LeaderId == 0,
            TestCluster.Timeout,
            "node 0, the other in-sync replica, leads while node 1 is away");
        var epochWhileAway = (await PartitionsAsync(cluster, topic)).Single(p => p.Partition == partition.Partition).LeaderEpoch;

        await cluster.StartNodeAsync(1);
        await Eventually.TrueAsync(
            async () => (await PartitionsAsync(cluster, topic)).Single(p => p.Partition == partition.Partition).LeaderId == 1,
            TestCluster.Timeout,
            "node 1, the preferred leader, leads again");
        var back = (await PartitionsAsync(cluster, topic)).Single(p => p.Partition == partition.Partition);
        Assert.True(back.LeaderEpoch > epochWhileAway, $"epoch {back.LeaderEpoch} after the move back, {epochWhileAway} while away");
        // The partition preferring node 0 never had a reason to move.
        Assert.Equal(0, (await PartitionsAsync(cluster, topic)).Single(p => p.Replicas[0] == 0).LeaderId);
    }

    private static async Task<IReadOnlyList<PartitionAssignment>> PartitionsAsync(TestCluster cluster, string topic)
    {
        var snapshot = await cluster[0].System.ActorSelection(InSyncReplicaAllocationStrategy.ControllerProxyPath)
            .Ask<MetadataSnapshot>(new GetMetadataSnapshot(), TestCluster.Timeout);
        return snapshot.Topics.Single(t => t.Name == topic).Partitions;
    }

    private static async Task<bool> LeaderKnownToEndpointAsync(Hosting.BrokerNode node, string topic, int partition)
    {
        var metadata = await node.Endpoint.Ask<MetadataResponse>(new MetadataRequest { Topics = { topic } }, TestCluster.Timeout);
        return metadata.Topics.SingleOrDefault(t => t.Name == topic && t.ErrorCode == 0)?.Partitions.SingleOrDefault(p => p.Partition == partition)?.LeaderId == node.Settings.NodeId;
    }
}
