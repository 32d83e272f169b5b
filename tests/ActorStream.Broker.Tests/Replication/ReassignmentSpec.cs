using Akka.Actor;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.TestKit;
using Google.Protobuf;
using BrokerNode = ActorStream.Broker.Hosting.BrokerNode;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// Reassignment on a three-node cluster: a partition on [leader, b] moves to [c, b]; c catches up before the old
/// leader is dropped, leadership moves to a target replica, and no acknowledged record is lost.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class ReassignmentSpec
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_partition_must_move_to_its_target_replicas_with_every_acknowledged_record()
    {
        await using var cluster = await TestCluster.StartAsync(3, extra: "akka.cluster.sharding.rebalance-interval = 1s");
        var topic = "move-" + Guid.NewGuid().ToString("N")[..10];
        var created = await cluster[0].Endpoint.Ask<CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics = { new CreatableTopic { Name = topic, NumPartitions = 1, ReplicationFactor = 2, Configs = { ["min.insync.replicas"] = "2" } } },
        }, AskTimeout);
        Assert.Equal(0, created.Results.Single().ErrorCode);
        var topicId = created.Results.Single().TopicId;

        var before = await AwaitPartitionAsync(cluster, 0, topic, p => p.LeaderId >= 0 && p.Isr.Count == 2);
        var leader = before.LeaderId;
        before = await AwaitPartitionAsync(cluster, leader, topic, p => p.LeaderId == leader && p.Isr.Count == 2);
        var other = before.Replicas.Single(r => r != leader);
        var newcomer = Enumerable.Range(0, 3).Single(n => !before.Replicas.Contains(n));
        var acked = Enumerable.Range(0, 10).Select(n => $"v{n:D3}").ToList();
        Assert.Equal(ErrorCode.None, (ErrorCode)(await ProduceAsync(cluster[leader], topic, acked)).ErrorCode);

        var response = await cluster[0].Endpoint.Ask<ReassignPartitionsResponse>(new ReassignPartitionsRequest
        {
            Partitions = { new PartitionReassignment { Topic = topic, Partition = 0, Replicas = { newcomer, other } } },
        }, AskTimeout);
        Assert.Equal(0, response.Results.Single().ErrorCode);

        var after = await AwaitPartitionAsync(cluster, newcomer, topic, p =>
            p.Replicas.SequenceEqual([newcomer, other]) && p.LeaderId is var l && l != leader && l >= 0 && p.Isr.Count == 2);
        Assert.DoesNotContain(leader, after.Isr);
        after = await AwaitPartitionAsync(cluster, after.LeaderId, topic, p => p.LeaderId == after.LeaderId);

        var more = Enumerable.Range(10, 10).Select(n => $"v{n:D3}").ToList();
        await Eventually.AssertAsync(async () =>
            Assert.Equal(ErrorCode.None, (ErrorCode)(await ProduceAsync(cluster[after.LeaderId], topic, more)).ErrorCode), TestCluster.Timeout);
        acked.AddRange(more);
        foreach (var node in new[] { newcomer, other })
        {
            Assert.Equal(acked, ReplicaCopy.Read(cluster.DataDir(node), topic, 0, topicId).Select(r => r.Value).Take(acked.Count));
        }

        // Bad input: a node that does not exist.
        var refused = await cluster[0].Endpoint.Ask<ReassignPartitionsResponse>(new ReassignPartitionsRequest
        {
            Partitions = { new PartitionReassignment { Topic = topic, Partition = 0, Replicas = { 0, 42 } } },
        }, AskTimeout);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, (ErrorCode)refused.Results.Single().ErrorCode);
    }

    private static async Task<ProducePartitionResponse> ProduceAsync(BrokerNode node, string topic, IReadOnlyList<string> values)
    {
        using var builder = new ActorStream.Storage.Records.RecordBatchBuilder();
        foreach (var value in values)
        {
            builder.Append(1000, null, System.Text.Encoding.UTF8.GetBytes(value));
        }

        var response = await node.Endpoint.Ask<ProduceResponse>(new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 20_000,
            Partitions = { new ProducePartitionData { Topic = topic, Partition = 0, Records = ByteString.CopyFrom(builder.Build()) } },
        }, AskTimeout);
        return response.Partitions.Single();
    }

    private static async Task<PartitionMetadata> AwaitPartitionAsync(TestCluster cluster, int nodeIndex, string topic, Func<PartitionMetadata, bool> condition)
    {
        PartitionMetadata? found = null;
        await Eventually.TrueAsync(async () =>
        {
            var metadata = await cluster[nodeIndex].Endpoint.Ask<MetadataResponse>(new MetadataRequest { Topics = { topic } }, AskTimeout);
            found = metadata.Topics.SingleOrDefault(t => t.ErrorCode == 0)?.Partitions.SingleOrDefault();
            return found is not null && condition(found);
        }, TestCluster.Timeout, $"partition {topic}-0 in the wanted state");
        return found!;
    }
}
