using System.Globalization;
using System.Text;
using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;
using NativeConsumer = ActorStream.Client.Consumer.Consumer<byte[]?, byte[]?>;
using NativeConsumerConfig = ActorStream.Client.Config.ConsumerConfig;
using NativeDeserializers = ActorStream.Client.Serialization.Deserializers;
using NativeOffsetReset = ActorStream.Client.Config.AutoOffsetReset;
using NativeProducer = ActorStream.Client.Producer.Producer<byte[], byte[]>;
using NativeProducerConfig = ActorStream.Client.Config.ProducerConfig;
using NativeSerializers = ActorStream.Client.Serialization.Serializers;

namespace ActorStream.Kafka.Tests.Js;

/// <summary>
/// One topic, three languages: Confluent.Kafka (C#, librdkafka), kafkajs (JavaScript) and the native client write to
/// it, and a consumer of each, every one in its own group, reads every record (the same partition, offset and bytes)
/// and commits; <c>actorstream groups describe</c> then shows each group's committed offsets at the log end, lag 0.
/// </summary>
[Collection(JsKafkaNodeCollection.Name)]
public sealed class MixedLanguagesSpec(JsKafkaNode node, ITestOutputHelper output)
{
    private const int Partitions = 3;
    private const int PerProducer = 12;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Consumers_in_three_languages_in_their_own_groups_must_each_read_every_record_and_reach_lag_zero()
    {
        var topic = await node.CreateTopicAsync("mixed", Partitions);
        await ProduceFromEveryLanguageAsync(topic);
        const int total = 3 * PerProducer;
        var expected = await ReadAllAsync(topic, total);
        var (confluentGroup, kafkajsGroup, nativeGroup) = (KafkaNode.UniqueTopic("mixed-confluent"), KafkaNode.UniqueTopic("mixed-kafkajs"), KafkaNode.UniqueTopic("mixed-native"));

        await using var kafkajs = JsScript.Start("consume.js", new { node.Brokers, groupId = kafkajsGroup, topics = new[] { topic }, fromBeginning = true, stopAfter = total });
        var confluent = Task.Run(() => ConsumeWithConfluent(topic, confluentGroup, total));
        var native = ConsumeNativelyAsync(topic, nativeGroup, total);

        await kafkajs.WaitForEventAsync("stopped", _ => true, "the kafkajs consumer's stop after every record");
        await kafkajs.StopAsync(output);
        var byKafkajs = kafkajs.EventsNamed("record")
            .Select(r => (r.GetProperty("partition").GetInt32(), (long)r.GetProperty("offset").GetInt32(), Convert.FromBase64String(r.GetProperty("value").GetString()!).AsString()))
            .ToList();
        Assert.Equal(expected, byKafkajs.Order().ToList());
        Assert.Equal(expected, (await confluent).Order().ToList());
        Assert.Equal(expected, (await native).Order().ToList());

        var listed = await CliProcess.RunOkAsync(node.Directory, CommandTimeout, null, "groups", "list", "--bootstrap-server", node.NativeBootstrap);
        var groups = listed.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]).ToList();
        Assert.Contains(confluentGroup, groups);
        Assert.Contains(kafkajsGroup, groups);
        Assert.Contains(nativeGroup, groups);

        var ends = Enumerable.Range(0, Partitions).Select(p => expected.Count(r => r.Partition == p).ToString(CultureInfo.InvariantCulture)).ToList();
        foreach (var group in new[] { confluentGroup, kafkajsGroup, nativeGroup })
        {
            // The CLI's table: GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID. Commits are awaited
            // by every consumer before it stops, so one look is enough; Eventually only covers the metadata copy.
            string[][] rows = [];
            await Eventually.AssertAsync(
                async () =>
                {
                    var table = await CliProcess.RunOkAsync(node.Directory, CommandTimeout, null, "groups", "describe", "--bootstrap-server", node.NativeBootstrap, "--group", group);
                    output.WriteLine(table);
                    rows = [.. table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(r => r[0] == group)];
                    Assert.Equal(Partitions, rows.Length);
                },
                CommandTimeout);
            Assert.All(rows, r => Assert.Equal(topic, r[1]));
            Assert.Equal(["0", "1", "2"], rows.Select(r => r[2]).Order());
            var ordered = rows.OrderBy(r => r[2], StringComparer.Ordinal).ToList();
            Assert.Equal(ends, ordered.Select(r => r[3]));
            Assert.Equal(ends, ordered.Select(r => r[4]));
            Assert.All(ordered, r => Assert.Equal("0", r[5]));
        }
    }

    private async Task ProduceFromEveryLanguageAsync(string topic)
    {
        using (var producer = KafkaClients.Producer(node.KafkaBootstrap, output))
        {
            for (var i = 0; i < PerProducer; i++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, i % Partitions), new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"c{i}"), Value = Encoding.UTF8.GetBytes($"from Confluent.Kafka {i}") });
            }
        }

        var messages = Enumerable.Range(0, PerProducer)
            .Select(i => new JsRecord(i % Partitions, Convert.ToBase64String(Encoding.UTF8.GetBytes($"j{i}")), Convert.ToBase64String(Encoding.UTF8.GetBytes($"from kafkajs {i}")), []))
            .ToList();
        await JsScript.RunAsync("produce.js", new { node.Brokers, topic, idempotent = true, compression = "snappy", messages }, output);

        await using var native = new NativeProducer(new NativeProducerConfig { BootstrapServers = node.NativeBootstrap }, NativeSerializers.ByteArray, NativeSerializers.ByteArray);
        for (var i = 0; i < PerProducer; i++)
        {
            await native.ProduceAsync(topic, Encoding.UTF8.GetBytes($"n{i}"), Encoding.UTF8.GetBytes($"from the native client {i}"), partition: i % Partitions);
        }
    }

    /// <summary>What the topic holds, read by partition assignment (no group): (partition, offset, value) in order.</summary>
    private Task<List<(int Partition, long Offset, string Value)>> ReadAllAsync(string topic, int total) => Task.Run(() =>
    {
        using var consumer = KafkaClients.Consumer(node.KafkaBootstrap, output);
        var records = KafkaClients.ReadFromBeginning(consumer, topic, Partitions, total);
        Assert.Equal(3 * PerProducer, records.Count);
        return records.Select(r => (r.Partition.Value, r.Offset.Value, r.Message.Value.AsString())).Order().ToList();
    });

    private List<(int, long, string)> ConsumeWithConfluent(string topic, string group, int total)
    {
        var config = new ConsumerConfig(KafkaClients.ConsumerConfig(node.KafkaBootstrap))
        {
            GroupId = group,
            SessionTimeoutMs = 10_000,
            HeartbeatIntervalMs = 1_000,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        using var consumer = KafkaClients.Consumer<byte[], byte[]>(config, output);
        consumer.Subscribe(topic);
        var read = new List<(int, long, string)>();
        var deadline = DateTime.UtcNow + JsScript.Timeout;
        while (read.Count < total)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Confluent.Kafka in {group} read {read.Count} of {total} records");
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { IsPartitionEOF: false } result)
            {
                read.Add((result.Partition.Value, result.Offset.Value, result.Message.Value.AsString()));
                consumer.StoreOffset(result);
            }
        }

        consumer.Commit();
        consumer.Close();
        return read;
    }

    private async Task<List<(int, long, string)>> ConsumeNativelyAsync(string topic, string group, int total)
    {
        await using var consumer = new NativeConsumer(
            new NativeConsumerConfig { BootstrapServers = node.NativeBootstrap, GroupId = group, AutoOffsetReset = NativeOffsetReset.Earliest, EnableAutoCommit = false, SessionTimeoutMs = 10_000, HeartbeatIntervalMs = 1_000 },
            NativeDeserializers.ByteArray,
            NativeDeserializers.ByteArray);
        consumer.Subscribe([topic]);
        var read = new List<(int, long, string)>();
        var deadline = DateTime.UtcNow + JsScript.Timeout;
        while (read.Count < total)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the native consumer in {group} read {read.Count} of {total} records");
            read.AddRange((await consumer.PollAsync(TimeSpan.FromMilliseconds(500))).Select(r => (r.Partition, r.Offset, r.Value!.AsString())));
        }

        await consumer.CommitAsync();
        return read;
    }
}

internal static class Utf8Extensions
{
    public static string AsString(this byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
