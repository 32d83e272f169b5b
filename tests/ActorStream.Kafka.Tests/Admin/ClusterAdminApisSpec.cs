using Akka.Actor;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Tests.Support;
using ActorStream.Protocol;
using ActorStream.TestKit;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Tests.Admin;

/// <summary>
/// The admin APIs across three in-process nodes, over the Kafka listeners: DescribeCluster from any node lists every
/// node at its own Kafka port; CreateTopics at a node that is not the controller; AlterPartitionReassignments moves a
/// replica and ListPartitionReassignments sees it through to the end.
/// </summary>
public sealed class ClusterAdminApisSpec
{
    private static readonly TimeSpan Timeout = TestCluster.Timeout;

    [Fact]
    public async Task Admin_APIs_describe_create_and_reassign_across_a_three_node_cluster()
    {
        await using var cluster = await TestCluster.StartAsync(3, kafka: true);
        var ports = Enumerable.Range(0, 3).ToDictionary(i => cluster[i].Settings.NodeId, i => cluster[i].AdvertisedListeners[0].Port);
        await using var atTwo = await KafkaWireConnection.ConnectAsync(ports[cluster[2].Settings.NodeId]);

        await Eventually.AssertAsync(
            async () =>
            {
                var described = await atTwo.SendAsync<DescribeClusterRequest, DescribeClusterResponse>(new DescribeClusterRequest(), 1);
                Assert.Equal((short)ErrorCode.None, described.ErrorCode);
                Assert.Equal(ports.OrderBy(p => p.Key), described.Brokers.Select(b => KeyValuePair.Create(b.BrokerId, b.Port)));
                Assert.Contains(described.Brokers, b => b.BrokerId == described.ControllerId);
            },
            Timeout);

        var name = "reassigned-" + Guid.NewGuid().ToString("N")[..8];
        var (from, to) = (cluster[0].Settings.NodeId, cluster[1].Settings.NodeId);
        var topic = new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = -1, ReplicationFactor = -1 };
        topic.Assignments.Add(new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [from] });
        var created = await atTwo.SendAsync<CreateTopicsRequest, CreateTopicsResponse>(new CreateTopicsRequest { timeoutMs = 30_000, Topics = [topic] }, 7);
        Assert.Equal((short)ErrorCode.None, Assert.Single(created.Topics).ErrorCode);

        var reassigned = await atTwo.SendAsync<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>(
            new AlterPartitionReassignmentsRequest { TimeoutMs = 30_000, Topics = [new() { Name = name, Partitions = [new() { PartitionIndex = 0, Replicas = [to] }] }] },
            0);
        Assert.Equal((short)ErrorCode.None, reassigned.Responses[0].Partitions[0].ErrorCode);

        await Eventually.AssertAsync(
            async () =>
            {
                var listed = await atTwo.SendAsync<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>(
                    new ListPartitionReassignmentsRequest { TimeoutMs = 30_000, Topics = [new() { Name = name, PartitionIndexes = [0] }] },
                    0);
                Assert.Empty(listed.Topics);
                var metadata = await cluster[2].Endpoint.Ask<Native.MetadataResponse>(new Native.MetadataRequest { Topics = { name } }, Timeout);
                var partition = Assert.Single(Assert.Single(metadata.Topics).Partitions);
                Assert.Equal(new[] { to }, partition.Replicas);
                Assert.Equal(to, partition.LeaderId);
            },
            Timeout);
    }
}
