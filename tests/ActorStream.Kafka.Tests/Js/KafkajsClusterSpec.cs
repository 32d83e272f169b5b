using ActorStream.Client.Admin;
using ActorStream.Kafka.Tests.Support;
using NativeAdminConfig = ActorStream.Client.Config.AdminConfig;

namespace ActorStream.Kafka.Tests.Js;

/// <summary>
/// kafkajs on the 3-node cluster (the shared <see cref="KafkaCluster"/>, profile hocon/cluster-node.conf): each client
/// is given one node only and finds the others through Metadata. The admin client (node 0) creates a replicated
/// topic, the idempotent producer (node 1) writes to the leaders wherever they are, and a consumer group member
/// (node 2) finds the coordinator, reads every record from the beginning and commits.
/// </summary>
[Collection(KafkaClusterCollection.Name)]
public sealed class KafkajsClusterSpec(KafkaCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task Kafkajs_clients_each_given_one_node_must_create_produce_and_consume_in_a_group_across_the_cluster()
    {
        const int partitions = 3;
        var topic = KafkaNode.UniqueTopic("js-cluster");
        string[] Brokers(int node) => [$"127.0.0.1:{cluster.KafkaPort(node)}"];
        var created = await JsScript.RunAsync(
            "admin.js",
            new { brokers = Brokers(0), ops = new object[] { new { op = "createTopics", topics = new[] { new { topic, numPartitions = partitions, replicationFactor = 3 } } }, new { op = "describeCluster" } } },
            output);
        Assert.True(created.GetProperty("results")[0].GetProperty("value").GetBoolean());
        Assert.Equal([0, 1, 2], created.GetProperty("results")[1].GetProperty("value").GetProperty("brokers").EnumerateArray().Select(b => b.GetProperty("nodeId").GetInt32()).Order());
        await using (var admin = new AdminClient(new NativeAdminConfig { BootstrapServers = cluster.NativeBootstrap }))
        {
            var description = await ReplicatedTopic.WaitForFullIsrAsync(admin, topic, partitions, "the topic kafkajs created", cluster.Output);
            Assert.All(description.Partitions, p => Assert.Equal(3, p.Replicas.Count));
        }

        var messages = JsRecords.Samples(30, partitions);
        await JsScript.RunAsync("produce.js", new { brokers = Brokers(1), topic, idempotent = true, compression = "snappy", batchSize = 10, messages }, output);

        var group = KafkaNode.UniqueTopic("js-cluster");
        await using var consumer = JsScript.Start("consume.js", new { brokers = Brokers(2), groupId = group, topics = new[] { topic }, fromBeginning = true, stopAfter = messages.Count });
        await consumer.WaitForEventAsync("stopped", _ => true, "the consumer's stop after every record", ReplicatedTopic.Patience);
        await consumer.StopAsync(output);
        var records = consumer.EventsNamed("record");
        for (var partition = 0; partition < partitions; partition++)
        {
            Assert.Equal(
                messages.Where(m => m.Partition == partition).Select(JsRecords.Describe),
                records.Where(r => r.GetProperty("partition").GetInt32() == partition).OrderBy(r => r.GetProperty("offset").GetInt32()).Select(JsRecords.Describe));
        }

        var offsets = await JsScript.RunAsync("admin.js", new { brokers = Brokers(0), ops = new[] { new { op = "fetchOffsets", groupId = group, topics = new[] { topic } } } }, output);
        Assert.Equal(["10", "10", "10"], offsets.GetProperty("results")[0].GetProperty("value")[0].GetProperty("partitions").EnumerateArray().OrderBy(p => p.GetProperty("partition").GetInt32()).Select(p => p.GetProperty("offset").GetString()));
    }
}
