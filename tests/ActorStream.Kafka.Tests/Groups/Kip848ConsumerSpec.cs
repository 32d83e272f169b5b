using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Confluent.Kafka 2.16 with <c>group.protocol=consumer</c> (KIP-848: ConsumerGroupHeartbeat, server-side assignment)
/// against one node: the consumers are native members of the group coordinator.
/// </summary>
[Collection(Kip848NodeCollection.Name)]
public sealed class Kip848ConsumerSpec(Kip848Node node, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private ConsumerConfig Config(string groupId) => new()
    {
        BootstrapServers = node.KafkaBootstrap,
        ClientId = "kip848-spec",
        GroupId = groupId,
        GroupProtocol = GroupProtocol.Consumer,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SocketTimeoutMs = 30_000,
        ReconnectBackoffMaxMs = 1_000,
        BrokerAddressFamily = BrokerAddressFamily.V4,
        Debug = Environment.GetEnvironmentVariable("ACTORSTREAM_KAFKA_DEBUG"),
    };

    private IConsumer<string, string> Consumer(string groupId, Action<ConsumerConfig>? configure = null)
    {
        var config = Config(groupId);
        configure?.Invoke(config);
        if (Environment.GetEnvironmentVariable("KIP848_LOG") is { } log)
        {
            return new ConsumerBuilder<string, string>(config)
                .SetLogHandler((_, m) => File.AppendAllText(log, $"{DateTime.UtcNow:HH:mm:ss.fff} {m.Facility}: {m.Message}\n"))
                .SetErrorHandler((_, e) => File.AppendAllText(log, $"{DateTime.UtcNow:HH:mm:ss.fff} ERROR {e.Code}: {e.Reason}\n"))
                .Build();
        }

        return KafkaClients.Consumer<string, string>(config, output);
    }

    private async Task<string> TopicWithRecordsAsync(string prefix, int partitions, int count)
    {
        var topic = await node.CreateTopicAsync(prefix, partitions);
        using var producer = KafkaClients.Producer<string, string>(KafkaClients.ProducerConfig(node.KafkaBootstrap), output);
        var deliveries = Enumerable.Range(0, count)
            .Select(i => producer.ProduceAsync(new TopicPartition(topic, i % partitions), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }));
        await Task.WhenAll(deliveries).WaitAsync(KafkaClients.Timeout);
        return topic;
    }

    [Fact]
    public async Task One_consumer_subscribes_and_reads_every_record_of_every_partition()
    {
        var topic = await TopicWithRecordsAsync("kip848-one", 3, 30);
        using var consumer = Consumer("kip848-one-" + Guid.NewGuid().ToString("N"));
        consumer.Subscribe(topic);

        var values = new HashSet<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (values.Count < 30 && clock.Elapsed < Timeout)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } result)
            {
                Assert.True(values.Add(result.Message.Value), $"{result.Message.Value} read twice");
            }
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"v{i}").ToHashSet(), values);
        Assert.Equal(Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)), consumer.Assignment.OrderBy(tp => tp.Partition.Value));
        consumer.Close();
    }
}
