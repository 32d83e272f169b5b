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
using NativeTopicPartition = ActorStream.Client.TopicPartition;
using RecordHeader = ActorStream.Storage.Records.RecordHeader;

namespace ActorStream.Kafka.Tests;

/// <summary>
/// One log, two protocols: records written through the Kafka gateway by Confluent.Kafka read the same through the
/// native client and <c>actorstream consume</c>, and records written natively (client and <c>actorstream produce</c>)
/// read the same through Confluent.Kafka: keys, values, headers and timestamps, nulls included. Topics are created
/// through the native admin client, so only Metadata, Produce, ListOffsets and Fetch are needed on the Kafka side.
/// </summary>
[Collection(KafkaNodeCollection.Name)]
public sealed class InteropSpec(KafkaNode node, ITestOutputHelper output)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private static readonly long BaseTimestamp = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds();

    /// <summary>A record as both sides see it; null key or value is a null on the wire, distinct from empty.</summary>
    private sealed record Sample(string? Key, string? Value, long Timestamp, IReadOnlyList<(string Key, string? Value)> Headers)
    {
        public string Describe() => $"key {Key ?? "(null)"} value {Value ?? "(null)"} at {Timestamp} headers [{string.Join(',', Headers.Select(h => $"{h.Key}={h.Value ?? "(null)"}"))}]";
    }

    private static readonly Sample[] Samples =
    [
        new("k1", "v1", BaseTimestamp, [("h1", "a"), ("h2", "b")]),
        new(null, "no key", BaseTimestamp + 1, []),
        new("k3", null, BaseTimestamp + 2, [("tombstone", "yes")]),
        new("k4", "", BaseTimestamp + 3, [("null-header", null), ("h1", "repeated"), ("h1", "twice")]),
        new("ключ", "значение ✓", BaseTimestamp + 4, [("unicode", "ü")]),
    ];

    [Fact]
    public async Task Records_produced_by_Confluent_Kafka_must_read_the_same_through_the_native_client_and_the_CLI()
    {
        var topic = await node.CreateTopicAsync("from-confluent", partitions: 1);
        using (var producer = KafkaClients.Producer(node.KafkaBootstrap, output))
        {
            for (var i = 0; i < Samples.Length; i++)
            {
                var delivered = await producer.ProduceAsync(new TopicPartition(topic, 0), ToKafka(Samples[i]));
                Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
                Assert.Equal(i, delivered.Offset.Value);
            }
        }

        await using var consumer = new NativeConsumer(
            new NativeConsumerConfig { BootstrapServers = node.NativeBootstrap, AutoOffsetReset = NativeOffsetReset.Earliest, EnableAutoCommit = false },
            NativeDeserializers.ByteArray,
            NativeDeserializers.ByteArray);
        var partition = new NativeTopicPartition(topic, 0);
        consumer.Assign([partition]);
        consumer.SeekToBeginning([partition]);
        var read = new List<ActorStream.Client.Consumer.ConsumeResult<byte[]?, byte[]?>>();
        await Eventually.TrueAsync(
            async () =>
            {
                read.AddRange(await consumer.PollAsync(TimeSpan.FromMilliseconds(200)));
                return read.Count >= Samples.Length;
            },
            KafkaClients.Timeout,
            "the native consumer reading every record");

        Assert.Equal(Samples.Length, read.Count);
        for (var i = 0; i < Samples.Length; i++)
        {
            Assert.Equal(i, read[i].Offset);
            Assert.Equal(Samples[i].Describe(), FromNative(read[i].Key, read[i].Value, read[i].Timestamp, read[i].Headers).Describe());
        }

        var printed = await CliProcess.RunOkAsync(
            node.Directory,
            CommandTimeout,
            null,
            "consume", "--bootstrap-server", node.NativeBootstrap, "--topic", topic, "--from-beginning",
            "--max-messages", Samples.Length.ToString(CultureInfo.InvariantCulture), "--timeout-ms", "30000",
            "--property", "print.timestamp=true", "--property", "print.headers=true", "--property", "print.key=true");

        Assert.Equal(Samples.Select(ConsoleLine), printed.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Records_produced_by_the_native_client_and_the_CLI_must_read_the_same_through_Confluent_Kafka()
    {
        var topic = await node.CreateTopicAsync("from-native", partitions: 1);
        await using (var producer = new NativeProducer(new NativeProducerConfig { BootstrapServers = node.NativeBootstrap }, NativeSerializers.ByteArray, NativeSerializers.ByteArray))
        {
            foreach (var sample in Samples)
            {
                await producer.ProduceAsync(
                    topic,
                    Bytes(sample.Key),
                    Bytes(sample.Value)!,
                    partition: 0,
                    timestamp: sample.Timestamp,
                    headers: sample.Headers.Select(h => new RecordHeader(h.Key, Bytes(h.Value))).ToList());
            }
        }

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await CliProcess.RunOkAsync(node.Directory, CommandTimeout, "cli-1\tline one\ncli-2\tline two\n", "produce", "--bootstrap-server", node.NativeBootstrap, "--topic", topic, "--property", "parse.key=true");
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        using var consumer = KafkaClients.Consumer(node.KafkaBootstrap, output);
        var read = KafkaClients.ReadFromBeginning(consumer, topic, partitions: 1, count: Samples.Length + 2);

        Assert.Equal(Enumerable.Range(0, Samples.Length + 2).Select(i => (long)i), read.Select(r => r.Offset.Value));
        for (var i = 0; i < Samples.Length; i++)
        {
            Assert.Equal(TimestampType.CreateTime, read[i].Message.Timestamp.Type);
            Assert.Equal(Samples[i].Describe(), FromKafka(read[i].Message).Describe());
        }

        var cli = read.Skip(Samples.Length).Select(r => FromKafka(r.Message)).ToList();
        Assert.Equal([("cli-1", "line one"), ("cli-2", "line two")], cli.Select(s => (s.Key, s.Value)));
        Assert.All(cli, s => Assert.Empty(s.Headers));
        Assert.All(cli, s => Assert.InRange(s.Timestamp, before - 1000, after + 1000));
    }

    [Fact]
    public async Task With_the_murmur2_partitioner_Confluent_Kafka_must_place_keys_on_the_partitions_the_native_client_picks()
    {
        const int Partitions = 6;
        const int Keys = 200;
        var topic = await node.CreateTopicAsync("partitioner", Partitions);
        var keys = Enumerable.Range(0, Keys).Select(i => $"customer-{i * 7919}").ToList();

        int[] native;
        await using (var producer = new NativeProducer(new NativeProducerConfig { BootstrapServers = node.NativeBootstrap, LingerMs = 5 }, NativeSerializers.ByteArray, NativeSerializers.ByteArray))
        {
            native = (await Task.WhenAll(keys.Select(k => producer.ProduceAsync(topic, Bytes(k), Bytes("native")!)))).Select(m => m.Partition).ToArray();
        }

        var config = KafkaClients.ProducerConfig(node.KafkaBootstrap);
        config.Partitioner = Partitioner.Murmur2Random;
        int[] confluent;
        using (var producer = KafkaClients.Producer<byte[], byte[]>(config, output))
        {
            confluent = (await Task.WhenAll(keys.Select(k => producer.ProduceAsync(topic, new Message<byte[], byte[]> { Key = Bytes(k)!, Value = Bytes("confluent")! })))).Select(d => d.Partition.Value).ToArray();
        }

        Assert.Equal(Partitions, native.Distinct().Count());
        var differing = Enumerable.Range(0, Keys).Where(i => native[i] != confluent[i]).Select(i => $"{keys[i]}: native {native[i]}, Confluent.Kafka {confluent[i]}").ToList();
        Assert.True(differing.Count == 0, $"{differing.Count} of {Keys} keys on other partitions: {string.Join("; ", differing.Take(10))}");
    }

    private static Message<byte[], byte[]> ToKafka(Sample sample)
    {
        var headers = new Headers();
        foreach (var (key, value) in sample.Headers)
        {
            headers.Add(key, Bytes(value));
        }

        return new Message<byte[], byte[]> { Key = Bytes(sample.Key)!, Value = Bytes(sample.Value)!, Timestamp = new Timestamp(sample.Timestamp, TimestampType.CreateTime), Headers = headers };
    }

    private static Sample FromKafka(Message<byte[], byte[]> message) => new(
        Text(message.Key),
        Text(message.Value),
        message.Timestamp.UnixTimestampMs,
        message.Headers.Select(h => (h.Key, Text(h.GetValueBytes()))).ToList());

    private static Sample FromNative(byte[]? key, byte[]? value, long timestamp, IReadOnlyList<RecordHeader> headers) =>
        new(Text(key), Text(value), timestamp, headers.Select(h => (h.Key, Text(h.Value))).ToList());

    /// <summary>What <c>consume --property print.timestamp=true --property print.headers=true --property print.key=true</c> prints.</summary>
    private static string ConsoleLine(Sample sample)
    {
        var headers = sample.Headers.Count == 0 ? "NO_HEADERS" : string.Join(',', sample.Headers.Select(h => $"{h.Key}:{h.Value ?? "null"}"));
        return $"CreateTime:{sample.Timestamp}\t{headers}\t{sample.Key ?? "null"}\t{sample.Value ?? "null"}";
    }

    private static byte[]? Bytes(string? text) => text is null ? null : Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
