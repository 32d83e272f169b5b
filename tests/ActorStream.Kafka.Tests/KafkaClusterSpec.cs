using System.Diagnostics;
using ActorStream.Client.Admin;
using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;
using NativeAdminConfig = ActorStream.Client.Config.AdminConfig;

namespace ActorStream.Kafka.Tests;

/// <summary>
/// Confluent.Kafka against three node processes: every node answers Metadata for the whole cluster with each node's
/// Kafka listener, CreateTopics works from any node, and an idempotent acks=all producer loses and duplicates nothing
/// while its partition's leader is killed (kill -9) and later restarted.
/// </summary>
[Collection(KafkaClusterCollection.Name)]
public sealed class KafkaClusterSpec(KafkaCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Every_node_must_answer_Metadata_with_all_three_brokers_and_their_Kafka_ports()
    {
        var expected = Enumerable.Range(0, KafkaCluster.Size).Select(n => $"{n}@127.0.0.1:{cluster.KafkaPort(n)}").ToList();
        for (var node = 0; node < KafkaCluster.Size; node++)
        {
            var port = cluster.KafkaPort(node);
            // A node restarted by another spec registers its listener again within moments.
            await Eventually.AssertAsync(
                async () =>
                {
                    // Byte by byte: librdkafka sends Metadata to any broker it knows, so only a raw request surely asks this one.
                    var metadata = await KafkaWire.MetadataAsync(port);
                    Assert.Equal(expected, metadata.Brokers.OrderBy(b => b.NodeId).Select(b => $"{b.NodeId}@{b.Host}:{b.Port}"));
                    Assert.Contains(metadata.ControllerId, metadata.Brokers.Select(b => b.NodeId));
                },
                Patience);

            // Confluent.Kafka bootstrapped at this node alone sees the whole cluster.
            // librdkafka may ask another node, whose copy of the metadata can lag a moment after a restart.
            using var admin = KafkaClients.Admin($"127.0.0.1:{port}", output);
            await Eventually.AssertAsync(
                () =>
                {
                    var seen = admin.GetMetadata(KafkaClients.Timeout);
                    Assert.Equal(expected, seen.Brokers.OrderBy(b => b.BrokerId).Select(b => $"{b.BrokerId}@{b.Host}:{b.Port}"));
                    return Task.CompletedTask;
                },
                Patience);
        }
    }

    [Fact]
    public async Task CreateTopics_must_work_sent_to_any_node()
    {
        await using var native = new AdminClient(new NativeAdminConfig { BootstrapServers = cluster.NativeBootstrap });
        // Byte by byte, one request to each node: at least two of them do not host the controller.
        for (var node = 0; node < KafkaCluster.Size; node++)
        {
            var topic = KafkaNode.UniqueTopic($"created-at-{node}");
            var controller = (await KafkaWire.MetadataAsync(cluster.KafkaPort(node))).ControllerId;
            var created = await KafkaWire.CreateTopicAsync(cluster.KafkaPort(node), topic, partitions: 3, replicationFactor: 3, timeoutMs: 30_000);
            output.WriteLine($"node {node} (its Metadata names controller {controller}): CreateTopics {topic} -> error {created.ErrorCode} {created.ErrorMessage}");

            Assert.Equal(topic, created.Name);
            Assert.True(created.ErrorCode == 0, $"CreateTopics at node {node}: error {created.ErrorCode} {created.ErrorMessage}");
            var described = (await native.DescribeTopicsAsync([topic])).Single();
            Assert.Equal(3, described.Partitions.Count);
            Assert.All(described.Partitions, p => Assert.Equal(3, p.Replicas.Count));
        }

        // And through Confluent.Kafka's admin client bootstrapped at one node (it routes to the controller Metadata names).
        var viaConfluent = KafkaNode.UniqueTopic("created-by-confluent");
        using var admin = KafkaClients.Admin($"127.0.0.1:{cluster.KafkaPort(KafkaCluster.Size - 1)}", output);
        await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = viaConfluent, NumPartitions = 2, ReplicationFactor = 3 }], new Confluent.Kafka.Admin.CreateTopicsOptions { RequestTimeout = KafkaClients.Timeout });
        Assert.Equal(2, (await native.DescribeTopicsAsync([viaConfluent])).Single().Partitions.Count);
    }

    [Fact]
    public async Task An_idempotent_producer_must_lose_and_duplicate_nothing_when_the_leader_is_killed_and_restarted()
    {
        var clock = Stopwatch.StartNew();
        var topic = KafkaNode.UniqueTopic("leader-change");
        await using var native = new AdminClient(new NativeAdminConfig { BootstrapServers = cluster.NativeBootstrap });
        await ReplicatedTopic.CreateAsync(native, topic, partitions: 1);
        var leader = (await ReplicatedTopic.WaitForFullIsrAsync(native, topic, 1, "the new topic", cluster.Output)).Partitions[0].Leader;

        var config = KafkaClients.ProducerConfig(cluster.KafkaBootstrap);
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        // Longer than a failover (~10 s here): no record may time out while the partition moves.
        config.MessageTimeoutMs = 120_000;
        using var client = KafkaClients.Producer<Null, string>(config, output);
        await using var producer = new SequenceProducer(client, new TopicPartition(topic, 0));
        producer.Start();
        await Eventually.TrueAsync(() => producer.Acknowledged.Count >= 200, Patience, $"200 records acknowledged before the kill: {producer}\n{cluster.Output()}");

        cluster.Kill(leader);
        try
        {
            // Taken once the process is gone: a record sent while the kill was under way could still be acknowledged by it.
            var sentAfterKill = producer.Next;
            var killedAt = clock.Elapsed;
            output.WriteLine($"{killedAt.TotalSeconds:F1} s: killed node {leader}, the leader ({producer})");
            await Eventually.TrueAsync(() => producer.AcknowledgedFrom(sentAfterKill), Patience, $"a record sent after the kill of node {leader} acknowledged: {producer}\n{cluster.Output()}");
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: acknowledging again, {(clock.Elapsed - killedAt).TotalSeconds:F1} s after the kill ({producer})");

            await cluster.RestartAsync(leader);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: node {leader} restarted");
            // Preferred leader again: the leadership moves back under the running producer, a second leader change.
            await ReplicatedTopic.WaitForFullIsrAsync(native, topic, 1, $"node {leader} back in the ISR and leading", cluster.Output);
            var sentAfterReturn = producer.Next;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: node {leader} leads again ({producer})");
            await Eventually.TrueAsync(() => producer.AcknowledgedFrom(sentAfterReturn), Patience, $"a record sent after node {leader} leads again acknowledged: {producer}\n{cluster.Output()}");
        }
        finally
        {
            // The other specs of the collection need all three nodes.
            if (!cluster.IsRunning(leader))
            {
                await cluster.RestartAsync(leader);
            }
        }

        await producer.StopAsync(TimeSpan.FromSeconds(150));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: stopped: {producer}");
        Assert.True(producer.Failures.Count == 0, $"with idempotence and a 120 s message timeout no record may fail: {producer}");

        var partition = new TopicPartition(topic, 0);
        using var consumer = KafkaClients.Consumer<Null, string>(KafkaClients.ConsumerConfig(cluster.KafkaBootstrap), output);
        var end = consumer.QueryWatermarkOffsets(partition, KafkaClients.Timeout).High.Value;
        var log = KafkaClients.ReadFromBeginning(consumer, topic, partitions: 1, count: checked((int)end), timeout: Patience);
        var sequences = log.Select(r => (Offset: r.Offset.Value, Sequence: SequenceProducer.Parse(r.Message.Value))).ToList();
        for (var i = 1; i < sequences.Count; i++)
        {
            Assert.True(
                sequences[i].Sequence > sequences[i - 1].Sequence,
                $"sequence {sequences[i].Sequence} at offset {sequences[i].Offset} follows {sequences[i - 1].Sequence} at offset {sequences[i - 1].Offset}: a duplicate or out of order");
        }

        var offsetBySequence = sequences.ToDictionary(s => s.Sequence, s => s.Offset);
        foreach (var (sequence, offset) in producer.Acknowledged)
        {
            Assert.True(offsetBySequence.TryGetValue(sequence, out var stored), $"acknowledged record {sequence} (offset {offset}) is lost");
            Assert.Equal(offset, stored);
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {producer.Acknowledged.Count} acknowledged, {sequences.Count} in the log up to offset {end}");
    }
}
