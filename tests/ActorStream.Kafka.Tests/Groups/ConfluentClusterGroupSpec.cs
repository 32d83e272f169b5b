using System.Diagnostics;
using ActorStream.Client.Admin;
using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using static ActorStream.Kafka.Tests.Groups.GroupConsumers;
using NativeAdminConfig = ActorStream.Client.Config.AdminConfig;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Confluent.Kafka group members on the 3-node cluster, each bootstrapped at a different node: FindCoordinator sends
/// both to the node hosting the group coordinator singleton, they split a replicated 6-partition topic, and when one
/// closes the other takes its partitions from its committed offsets.
/// </summary>
[Collection(KafkaClusterCollection.Name)]
public sealed class ConfluentClusterGroupSpec(KafkaCluster cluster, ITestOutputHelper output)
{
    private const int Partitions = 6;

    [Fact]
    public async Task Two_consumers_bootstrapped_at_different_nodes_must_split_the_topic_and_one_must_take_over_when_the_other_closes()
    {
        var topic = KafkaNode.UniqueTopic("cluster-group");
        await using (var native = new AdminClient(new NativeAdminConfig { BootstrapServers = cluster.NativeBootstrap }))
        {
            await ReplicatedTopic.CreateAsync(native, topic, Partitions);
            await ReplicatedTopic.WaitForFullIsrAsync(native, topic, Partitions, "the new topic", cluster.Output);
        }

        var group = UniqueGroup("cluster");
        var ownership = new PartitionOwnership();
        await using var a = GroupConsumer.Start("a", Config($"127.0.0.1:{cluster.KafkaPort(0)}", group, "a"), topic, output, ownership);
        await using var b = GroupConsumer.Start("b", Config($"127.0.0.1:{cluster.KafkaPort(2)}", group, "b"), topic, output, ownership);
        await UntilAsync(() => Split(Partitions, a, b), "a and b split the 6 partitions", () => Describe(a, b) + "\n" + cluster.Output());
        var ofA = a.AssignedPartitions;
        var ofB = b.AssignedPartitions;
        Assert.Equal(3, ofA.Count);

        using (var admin = KafkaClients.Admin(cluster.KafkaBootstrap, output))
        {
            var description = (await admin.DescribeConsumerGroupsAsync([group], new DescribeConsumerGroupsOptions { RequestTimeout = KafkaClients.Timeout })).ConsumerGroupDescriptions.Single();
            output.WriteLine($"group coordinator on node {description.Coordinator.Id}");
            Assert.InRange(description.Coordinator.Id, 0, KafkaCluster.Size - 1);
            Assert.Equal(ConsumerGroupState.Stable, description.State);
            Assert.Equal(2, description.Members.Count);
        }

        var first = await ProduceAsync(cluster.KafkaBootstrap, topic, Partitions, perPartition: 10, "first", output);
        await UntilAsync(() => a.Records.Count + b.Records.Count >= first.Count, "a and b read the first 60 records", () => Describe(a, b));
        Assert.Equal(ProducedTo(first, ofA), a.Records.Select(r => r.Value).Order(StringComparer.Ordinal));
        Assert.Equal(ProducedTo(first, ofB), b.Records.Select(r => r.Value).Order(StringComparer.Ordinal));

        var clock = Stopwatch.StartNew();
        await a.StopAsync();
        await UntilAsync(() => b.AssignedPartitions.Count == Partitions, "b holds all 6 partitions after a closed", () => Describe(a, b) + "\n" + cluster.Output());
        output.WriteLine($"b held all partitions {clock.Elapsed.TotalMilliseconds:F0} ms after a began to close");

        var second = await ProduceAsync(cluster.KafkaBootstrap, topic, Partitions, perPartition: 10, "second", output);
        await UntilAsync(() => b.Records.Count(r => r.Value.StartsWith("second:", StringComparison.Ordinal)) >= second.Count, "b reads the second 60 records", () => Describe(a, b));
        Assert.Equal(ProducedTo(second, ofA), ValuesFrom(b, ofA));
        Assert.Equal(ProducedTo(first, ofB).Concat(ProducedTo(second, ofB)).Order(StringComparer.Ordinal), ValuesFrom(b, ofB));
        Assert.Empty(ownership.Violations);
    }
}
