using System.Text;
using Confluent.Kafka;
using StoredCodec = ActorStream.Storage.Compression.CompressionType;

namespace ActorStream.Kafka.Tests.DataPath;

/// <summary>
/// Confluent.Kafka 2.16 (librdkafka inside), unchanged, against one node's Kafka listener: produce with every codec,
/// acks and idempotence; consume with Assign, seek, watermarks and offsets by time; headers, nulls, large values.
/// </summary>
[Collection(KafkaDataNodeCollection.Name)]
public sealed class ConfluentDataPathSpec(KafkaDataNode node, ITestOutputHelper output)
{
    private ProducerConfig ProducerConfig(Action<ProducerConfig>? configure = null)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = node.Bootstrap,
            MessageTimeoutMs = 60_000,
            SocketTimeoutMs = 60_000,
            // librdkafka logs which features it enabled from ApiVersions (a codec it turns off shows up here);
            // ACTORSTREAM_KAFKA_DEBUG=protocol shows each request and the version it picked.
            Debug = Environment.GetEnvironmentVariable("ACTORSTREAM_KAFKA_DEBUG") ?? "feature",
        };
        configure?.Invoke(config);
        return config;
    }

    private IProducer<byte[]?, byte[]?> Producer(Action<ProducerConfig>? configure = null) =>
        new ProducerBuilder<byte[]?, byte[]?>(ProducerConfig(configure))
            .SetLogHandler((_, m) => output.WriteLine($"[librdkafka {m.Level}] {m.Facility}: {m.Message}"))
            .Build();

    private IConsumer<byte[]?, byte[]?> Consumer() =>
        new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = node.Bootstrap,
            GroupId = "unused-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            SocketTimeoutMs = 60_000,
            Debug = Environment.GetEnvironmentVariable("ACTORSTREAM_KAFKA_DEBUG"),
        }).SetLogHandler((_, m) => output.WriteLine($"[librdkafka {m.Level}] {m.Facility}: {m.Message}")).Build();

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData("none", StoredCodec.None)]
    [InlineData("gzip", StoredCodec.Gzip)]
    [InlineData("snappy", StoredCodec.Snappy)]
    [InlineData("lz4", StoredCodec.Lz4)]
    [InlineData("zstd", StoredCodec.Zstd)]
    public async Task Produce_stores_the_batches_with_the_codec_the_producer_was_configured_with(string codec, StoredCodec expected)
    {
        var topic = await node.CreateTopicAsync("codec-" + codec);
        using (var producer = Producer(c =>
        {
            c.CompressionType = Enum.Parse<Confluent.Kafka.CompressionType>(codec, ignoreCase: true);
            c.LingerMs = 20;
        }))
        {
            // Compressible values so every codec actually compresses.
            var deliveries = Enumerable.Range(0, 50).Select(i => producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Key = Bytes($"k{i}"), Value = Bytes(new string('x', 200) + i) })).ToList();
            var results = await Task.WhenAll(deliveries).WaitAsync(KafkaDataNode.Timeout);
            Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
            Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), results.Select(r => r.Offset.Value).Order());
        }

        var codecs = await node.StoredCodecsAsync(topic);
        Assert.NotEmpty(codecs);
        Assert.All(codecs, c => Assert.Equal(expected, c));

        using var consumer = Consumer();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var values = ConsumeAll(consumer, 50);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => new string('x', 200) + i), values.Select(m => Encoding.UTF8.GetString(m.Message.Value!)));
    }

    [Theory]
    [InlineData(Acks.None)]
    [InlineData(Acks.Leader)]
    [InlineData(Acks.All)]
    public async Task Produce_with_every_acks_setting_stores_every_record(Acks acks)
    {
        var topic = await node.CreateTopicAsync("acks");
        using (var producer = Producer(c => c.Acks = acks))
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = Bytes($"v{i}") }))).WaitAsync(KafkaDataNode.Timeout);
            Assert.All(results, r => Assert.NotEqual(PersistenceStatus.NotPersisted, r.Status));
            if (acks != Acks.None)
            {
                Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), results.Select(r => r.Offset.Value).Order());
            }
        }

        using var consumer = Consumer();
        await Eventually.TrueAsync(() => consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(30)).High.Value == 20, KafkaDataNode.Timeout, "the high watermark reaches 20");
    }

    [Fact]
    public async Task An_idempotent_producer_stores_each_record_once_in_order()
    {
        var topic = await node.CreateTopicAsync("idempotent", partitions: 2);
        const int count = 500;
        using (var producer = Producer(c =>
        {
            c.EnableIdempotence = true;
            c.LingerMs = 1;
        }))
        {
            var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => producer.ProduceAsync(new TopicPartition(topic, i % 2), new Message<byte[]?, byte[]?> { Value = Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)) }))).WaitAsync(KafkaDataNode.Timeout);
            Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
        }

        var batches = await node.StoredBatchesAsync(topic, 0);
        Assert.All(batches, b => Assert.True(b.ProducerId >= 0, "an idempotent batch carries its producer id"));
        using var consumer = Consumer();
        for (var partition = 0; partition < 2; partition++)
        {
            consumer.Assign(new TopicPartitionOffset(topic, partition, Offset.Beginning));
            var values = ConsumeAll(consumer, count / 2).Select(m => int.Parse(Encoding.UTF8.GetString(m.Message.Value!), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(0, count).Where(i => i % 2 == partition), values);
            Assert.Equal(count / 2, consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(30)).High.Value);
        }
    }

    [Fact]
    public async Task Headers_null_keys_and_values_and_a_1000000_byte_value_come_back_as_produced()
    {
        var topic = await node.CreateTopicAsync("shapes");
        var large = new byte[1_000_000];
        new Random(12).NextBytes(large);
        // librdkafka counts a record's framing against message.max.bytes (default 1,000,000): room for the value.
        using (var producer = Producer(c => c.MessageMaxBytes = 1_048_576))
        {
            var headers = new Headers { { "h1", Bytes("one") }, { "h2", null }, { "h1", Bytes("again") } };
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Key = null, Value = Bytes("no key"), Headers = headers }).WaitAsync(KafkaDataNode.Timeout);
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Key = Bytes("tombstone"), Value = null }).WaitAsync(KafkaDataNode.Timeout);
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Key = Bytes("large"), Value = large }).WaitAsync(KafkaDataNode.Timeout);
        }

        using var consumer = Consumer();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var messages = ConsumeAll(consumer, 3);
        Assert.Null(messages[0].Message.Key);
        Assert.Equal("no key", Encoding.UTF8.GetString(messages[0].Message.Value!));
        Assert.Equal(
            [("h1", "one"), ("h2", (string?)null), ("h1", "again")],
            messages[0].Message.Headers.Select(h => (h.Key, h.GetValueBytes() is { } v ? Encoding.UTF8.GetString(v) : null)).ToList());
        Assert.Equal("tombstone", Encoding.UTF8.GetString(messages[1].Message.Key!));
        Assert.Null(messages[1].Message.Value);
        Assert.Equal(large, messages[2].Message.Value);
    }

    [Fact]
    public async Task Assign_seek_watermarks_and_offsets_for_times_answer_from_the_log()
    {
        var topic = await node.CreateTopicAsync("seek");
        var start = DateTime.UtcNow.AddMinutes(-10);
        using (var producer = Producer())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = Bytes($"v{i}"), Timestamp = new Timestamp(start.AddSeconds(i * 10)) }).WaitAsync(KafkaDataNode.Timeout);
            }
        }

        using var consumer = Consumer();
        var tp = new TopicPartition(topic, 0);
        var watermarks = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(30));
        Assert.Equal((0L, 10L), (watermarks.Low.Value, watermarks.High.Value));

        // The first offset at or after 35 s in is 4 (40 s); past the last record there is none (-1, Kafka's "end").
        var times = consumer.OffsetsForTimes(
            [new TopicPartitionTimestamp(tp, new Timestamp(start.AddSeconds(35)))],
            TimeSpan.FromSeconds(30));
        Assert.Equal(4, times[0].Offset.Value);
        var none = consumer.OffsetsForTimes([new TopicPartitionTimestamp(tp, new Timestamp(start.AddHours(1)))], TimeSpan.FromSeconds(30));
        Assert.Equal(Offset.End, none[0].Offset);

        consumer.Assign(new TopicPartitionOffset(tp, 0));
        var first = ConsumeAll(consumer, 1);
        Assert.Equal("v0", Encoding.UTF8.GetString(first[0].Message.Value!));
        consumer.Seek(new TopicPartitionOffset(tp, 7));
        var afterSeek = ConsumeAll(consumer, 3);
        Assert.Equal(["v7", "v8", "v9"], afterSeek.Select(m => Encoding.UTF8.GetString(m.Message.Value!)));
        Assert.Equal(start.AddSeconds(70), afterSeek[0].Message.Timestamp.UtcDateTime, TimeSpan.FromMilliseconds(1));
    }

    /// <summary>Consumes exactly <paramref name="count"/> records (bounded wait for each).</summary>
    private static List<ConsumeResult<byte[]?, byte[]?>> ConsumeAll(IConsumer<byte[]?, byte[]?> consumer, int count)
    {
        var results = new List<ConsumeResult<byte[]?, byte[]?>>(count);
        var deadline = DateTime.UtcNow + KafkaDataNode.Timeout;
        while (results.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"consumed {results.Count} of {count} records in {KafkaDataNode.Timeout}");
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is not null && !result.IsPartitionEOF)
            {
                results.Add(result);
            }
        }

        return results;
    }
}
