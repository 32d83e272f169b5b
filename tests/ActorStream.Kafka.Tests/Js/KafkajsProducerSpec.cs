using System.Text;
using System.Text.Json;
using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;
using StoredCodec = ActorStream.Storage.Compression.CompressionType;

namespace ActorStream.Kafka.Tests.Js;

/// <summary>
/// kafkajs 2.2.4's producer, unchanged, on node 20 (<c>js/produce.js</c>): without and with idempotence, with no
/// compression, gzip and snappy (kafkajs-snappy). Confluent.Kafka reads every record back byte for byte (keys, null
/// keys and values, binary values, repeated and binary headers, in each partition's order), and the stored batches
/// carry the codec and, for the idempotent producer, a producer id with contiguous sequences.
/// </summary>
[Collection(JsKafkaNodeCollection.Name)]
public sealed class KafkajsProducerSpec(JsKafkaNode node, ITestOutputHelper output)
{
    private const int Partitions = 3;

    [Theory]
    [InlineData("none", false, StoredCodec.None)]
    [InlineData("none", true, StoredCodec.None)]
    [InlineData("gzip", false, StoredCodec.Gzip)]
    [InlineData("gzip", true, StoredCodec.Gzip)]
    [InlineData("snappy", false, StoredCodec.Snappy)]
    [InlineData("snappy", true, StoredCodec.Snappy)]
    public async Task Records_sent_by_kafkajs_must_read_back_byte_identical_with_the_codec_stored(string compression, bool idempotent, StoredCodec expected)
    {
        var topic = await node.CreateTopicAsync($"js-{compression}", Partitions);
        var messages = JsRecords.Samples(60, Partitions);
        var result = await JsScript.RunAsync(
            "produce.js",
            new { node.Brokers, topic, compression, idempotent, batchSize = 10, messages },
            output);
        var sent = result.GetProperty("sent").EnumerateArray().ToList();
        Assert.Equal(6 * Partitions, sent.Count);
        Assert.All(sent, s => Assert.Equal(0, s.GetProperty("errorCode").GetInt32()));

        using var consumer = KafkaClients.Consumer(node.KafkaBootstrap, output);
        var read = KafkaClients.ReadFromBeginning(consumer, topic, Partitions, messages.Count);
        for (var partition = 0; partition < Partitions; partition++)
        {
            var expectedRecords = messages.Where(m => m.Partition == partition).Select(JsRecords.Describe).ToList();
            var actual = read.Where(r => r.Partition.Value == partition).OrderBy(r => r.Offset.Value).ToList();
            Assert.Equal(Enumerable.Range(0, expectedRecords.Count).Select(i => (long)i), actual.Select(r => r.Offset.Value));
            Assert.Equal(expectedRecords, actual.Select(r => JsRecords.Describe(r.Message)).ToList());

            var batches = await node.StoredBatchesAsync(topic, partition);
            Assert.Equal(6, batches.Count);
            Assert.All(batches, b => Assert.Equal(expected, b.Compression));
            if (idempotent)
            {
                Assert.All(batches, b => Assert.True(b.ProducerId >= 0, $"batch at {b.BaseOffset} has producer id {b.ProducerId}"));
                Assert.Single(batches.Select(b => b.ProducerId).Distinct());
                Assert.Equal(batches.Select(b => (int)b.BaseOffset), batches.Select(b => b.BaseSequence));
            }
            else
            {
                Assert.All(batches, b => Assert.Equal(-1, b.ProducerId));
            }
        }
    }

    [Fact]
    public async Task A_producer_allowed_to_create_topics_must_create_a_missing_one_through_Metadata()
    {
        var topic = KafkaNode.UniqueTopic("js-auto");
        var messages = JsRecords.Samples(5, partitions: 1);
        await JsScript.RunAsync("produce.js", new { node.Brokers, topic, allowAutoTopicCreation = true, messages }, output);

        using var consumer = KafkaClients.Consumer(node.KafkaBootstrap, output);
        var read = KafkaClients.ReadFromBeginning(consumer, topic, 1, messages.Count);
        Assert.Equal(messages.Select(JsRecords.Describe), read.Select(r => JsRecords.Describe(r.Message)));
    }

    [Fact]
    public async Task A_producer_not_allowed_to_create_topics_must_fail_on_a_missing_one_and_create_nothing()
    {
        var topic = KafkaNode.UniqueTopic("js-missing");
        await using var js = JsScript.Start("produce.js", new { node.Brokers, topic, allowAutoTopicCreation = false, retries = 1, messages = JsRecords.Samples(1, 1) });
        var error = await js.WaitForEventAsync("error", _ => true, "the producer's error");
        Assert.Contains("does not host this topic-partition", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        var listed = await JsScript.RunAsync("admin.js", new { node.Brokers, ops = new object[] { new { op = "listTopics" } } }, output);
        Assert.DoesNotContain(topic, listed.GetProperty("results")[0].GetProperty("value").EnumerateArray().Select(t => t.GetString()));
    }
}

/// <summary>A record as a script takes and answers it: bytes in base64, headers as [key, base64 value] pairs in order.</summary>
public sealed record JsRecord(int? Partition, string? Key, string? Value, IReadOnlyList<string[]> Headers);

/// <summary>Records for the scripts and what both sides must agree on.</summary>
public static class JsRecords
{
    /// <summary>
    /// <paramref name="count"/> records spread over <paramref name="partitions"/> in turn: text and binary keys, a null
    /// key, a null value (tombstone), binary values of every byte, a compressible 8 KiB value, repeated and binary headers.
    /// </summary>
    public static List<JsRecord> Samples(int count, int partitions)
    {
        var random = new Random(count * 31 + partitions);
        var records = new List<JsRecord>();
        for (var i = 0; i < count; i++)
        {
            byte[]? key = (i % 7) switch
            {
                3 => null,
                5 => [0, 255, (byte)i, 128],
                _ => Encoding.UTF8.GetBytes($"key-{i}-ключ"),
            };
            byte[]? value = (i % 11) switch
            {
                4 => null,
                6 => Encoding.UTF8.GetBytes(new string('x', 8192) + i),
                _ => RandomBytes(random, 1 + random.Next(300)),
            };
            var headers = new List<string[]> { new[] { "index", Base64(Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture))) } };
            if (i % 3 == 0)
            {
                headers.Add(["trace", Base64(RandomBytes(random, 16))]);
                headers.Add(["trace", Base64(Encoding.UTF8.GetBytes("second ✓"))]);
            }

            records.Add(new JsRecord(i % partitions, B64(key), B64(value), headers));
        }

        return records;
    }

    public static string Describe(JsRecord record) =>
        $"key {record.Key ?? "(null)"} value {record.Value ?? "(null)"} headers [{string.Join(',', record.Headers.Select(h => $"{h[0]}={h[1]}"))}]";

    public static string Describe(Message<byte[], byte[]> message) =>
        Describe(new JsRecord(null, B64(message.Key), B64(message.Value), [.. (message.Headers ?? []).Select(h => new[] { h.Key, Base64(h.GetValueBytes()) })]));

    /// <summary>A <c>record</c> event of a consumer script.</summary>
    public static string Describe(JsonElement record) =>
        Describe(new JsRecord(
            null,
            record.GetProperty("key").GetString(),
            record.GetProperty("value").GetString(),
            [.. record.GetProperty("headers").EnumerateArray().Select(h => new[] { h[0].GetString()!, h[1].GetString()! })]));

    private static string? B64(byte[]? bytes) => bytes is null ? null : Convert.ToBase64String(bytes);

    private static string Base64(byte[] bytes) => Convert.ToBase64String(bytes);

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
