using Akka.Actor;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.TestKit;
using Google.Protobuf;
using BrokerNode = ActorStream.Broker.Hosting.BrokerNode;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// Replication on a three-node in-process cluster (replication factor 3, min.insync.replicas 2): acknowledged records
/// are on every in-sync replica, and when the leader's node leaves, an in-sync follower takes over with nothing
/// acknowledged lost. (Stopping a node in-process is a graceful leave, not a crash: the kill -9 claims are in the
/// process tests.)
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class ReplicationSpec
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Acknowledged_records_must_be_on_every_in_sync_replica_and_survive_the_leader_leaving()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var topic = "rep-" + Guid.NewGuid().ToString("N")[..10];
        var created = await cluster[0].Endpoint.Ask<CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics = { new CreatableTopic { Name = topic, NumPartitions = 1, ReplicationFactor = 3, Configs = { ["min.insync.replicas"] = "2" } } },
        }, AskTimeout);
        Assert.Equal(0, created.Results.Single().ErrorCode);
        var topicId = created.Results.Single().TopicId;

        var first = await AwaitPartitionAsync(cluster, 0, topic, p => p.LeaderId >= 0 && p.Isr.Count == 3);
        var leader = first.LeaderId;
        // Metadata reaches each node's endpoint on its own: wait until the leader's own endpoint routes to the partition.
        first = await AwaitPartitionAsync(cluster, leader, topic, p => p.LeaderId == leader && p.Isr.Count == 3);
        var acked = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var values = Enumerable.Range(i * 5, 5).Select(n => $"v{n:D4}").ToList();
            var produced = await ProduceAsync(cluster[leader], topic, values);
            Assert.Equal(ErrorCode.None, (ErrorCode)produced.ErrorCode);
            acked.AddRange(values);
        }

        // acks=all answered: every replica still in the ISR has every record, at the same offsets.
        var isr = (await AwaitPartitionAsync(cluster, leader, topic, _ => true)).Isr;
        Assert.True(isr.Count >= 2, $"ISR [{string.Join(',', isr)}] fell below min.insync.replicas while acks=all succeeded");
        foreach (var node in isr)
        {
            var copy = ReplicaCopy.Read(cluster.DataDir(node), topic, 0, topicId);
            Assert.Equal(acked, copy.Select(r => r.Value).Take(acked.Count));
            Assert.Equal(Enumerable.Range(0, acked.Count).Select(n => (long)n), copy.Take(acked.Count).Select(r => r.Offset));
        }

        // The leader's node leaves: an in-sync follower takes over with a newer epoch and keeps every acknowledged record.
        await cluster.StopNodeAsync(leader);
        var survivor = cluster.Running[0];
        // The controller takes the gone node out of the ISR once it is removed from the cluster (a graceful leave hands the
        // shard over a little earlier, so a new leader may show up first).
        var failedOver = await AwaitPartitionAsync(cluster, survivor, topic, p => p.LeaderId >= 0 && p.LeaderId != leader && !p.Isr.Contains(leader));
        failedOver = await AwaitPartitionAsync(cluster, failedOver.LeaderId, topic, p => p.LeaderId == failedOver.LeaderId);
        Assert.True(failedOver.LeaderEpoch > first.LeaderEpoch);
        Assert.DoesNotContain(leader, failedOver.Isr);

        var more = Enumerable.Range(100, 5).Select(n => $"v{n:D4}").ToList();
        await Eventually.AssertAsync(async () =>
            Assert.Equal(ErrorCode.None, (ErrorCode)(await ProduceAsync(cluster[failedOver.LeaderId], topic, more)).ErrorCode), TestCluster.Timeout);
        acked.AddRange(more);

        var read = await FetchAllAsync(cluster[failedOver.LeaderId], topic, acked.Count);
        Assert.Equal(acked, read.Distinct().ToList());
        Assert.Equal(acked.Count, read.Count);
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

    private static async Task<List<string>> FetchAllAsync(BrokerNode node, string topic, int count)
    {
        var values = new List<string>();
        await Eventually.TrueAsync(async () =>
        {
            var response = await node.Endpoint.Ask<FetchResponse>(new FetchRequest
            {
                MaxWaitMs = 500,
                MaxBytes = 1024 * 1024,
                Partitions = { new FetchPartition { Topic = topic, Partition = 0, FetchOffset = values.Count } },
            }, AskTimeout);
            var records = ActorStream.Storage.Records.RecordBatchReader.ReadRecords(response.Partitions.Single().Records.Memory)
                .Where(r => r.Offset >= values.Count);
            values.AddRange(records.Select(r => System.Text.Encoding.UTF8.GetString(r.Value!.Value.Span)));
            return values.Count >= count;
        }, TestCluster.Timeout, $"{count} records readable from the new leader");
        return values;
    }

    private static async Task<PartitionMetadata> AwaitPartitionAsync(TestCluster cluster, int nodeIndex, string topic, Func<PartitionMetadata, bool> condition)
    {
        PartitionMetadata? found = null;
        await Eventually.TrueAsync(async () =>
        {
            var metadata = await cluster[nodeIndex].Endpoint.Ask<MetadataResponse>(new MetadataRequest { Topics = { topic } }, AskTimeout);
            // A node's endpoint may not know the topic yet (its metadata arrives on its own): then keep waiting.
            found = metadata.Topics.SingleOrDefault(t => t.ErrorCode == 0)?.Partitions.SingleOrDefault();
            return found is not null && condition(found);
        }, TestCluster.Timeout, $"partition {topic}-0 in the wanted state");
        return found!;
    }
}
