using System.Collections.Concurrent;
using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using static ActorStream.Kafka.Tests.Groups.GroupConsumers;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// The README's Confluent.Kafka consumer-group example, run as written: two instances of it in one group read every
/// record once between them and leave the group's committed offsets at the end of each partition.
/// </summary>
[Collection(KafkaGroupNodeCollection.Name)]
public sealed class ConfluentReadmeExampleSpec(KafkaGroupNode node, ITestOutputHelper output)
{
    private const int Partitions = 4;

    [Fact]
    public async Task Two_instances_of_the_README_consumer_must_read_every_record_once_and_commit_to_the_end()
    {
        var topic = await node.CreateTopicAsync("readme", Partitions);
        var group = UniqueGroup("readme");
        var produced = await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 10, "readme", output);
        var handled = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var instances = Enumerable.Range(0, 2)
            .Select(_ => Task.Factory.StartNew(() => RunConsumer(node.KafkaBootstrap, topic, group, m => handled.Add(m.Value), stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToList();

        await UntilAsync(() => handled.Count >= produced.Count, "the two instances handle the 40 records", () => $"{handled.Count} handled\n{node.Output()}");
        await stop.CancelAsync();
        await Task.WhenAll(instances).WaitAsync(Patience);

        Assert.Equal(produced.Order(StringComparer.Ordinal), handled.Order(StringComparer.Ordinal));
        using var admin = KafkaClients.Admin(node.KafkaBootstrap, output);
        var offsets = await admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(group, Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)).ToList())],
            new ListConsumerGroupOffsetsOptions { RequestTimeout = KafkaClients.Timeout });
        Assert.Equal(Enumerable.Repeat(10L, Partitions), offsets.Single().Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value));
    }

    // --- The README's example (keep the two in step) ---------------------------------------------------------------
    private static void RunConsumer(string bootstrapServers, string topic, string groupId, Action<Message<string, string>> handle, CancellationToken cancellation)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = groupId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            // At least once: an offset is stored only after its record was handled; auto-commit sends the stored
            // offsets every 5 s, on a revoke and on Close.
            EnableAutoOffsetStore = false,
        };
        using var consumer = new ConsumerBuilder<string, string>(config)
            .SetPartitionsAssignedHandler((_, partitions) => Console.WriteLine($"assigned: {string.Join(", ", partitions)}"))
            .SetPartitionsRevokedHandler((_, partitions) => Console.WriteLine($"revoked: {string.Join(", ", partitions)}"))
            .Build();
        consumer.Subscribe(topic);
        try
        {
            while (true)
            {
                var result = consumer.Consume(cancellation);
                handle(result.Message);
                consumer.StoreOffset(result);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            consumer.Close(); // commits the stored offsets and leaves the group: its partitions move at once
        }
    }
}
