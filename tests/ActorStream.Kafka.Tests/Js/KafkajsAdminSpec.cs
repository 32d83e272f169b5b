using System.Text.Json;
using ActorStream.Client.Admin;
using ActorStream.Kafka.Tests.Support;
using NativeAdminConfig = ActorStream.Client.Config.AdminConfig;

namespace ActorStream.Kafka.Tests.Js;

/// <summary>
/// kafkajs 2.2.4's admin client, unchanged (<c>js/admin.js</c> runs a list of calls and answers each one's result):
/// create topics (with configs; an existing one answers false), topic metadata, topic offsets (low and high, by
/// timestamp), create partitions, delete topics; and for groups see <c>KafkajsGroupSpec</c>.
/// </summary>
[Collection(JsKafkaNodeCollection.Name)]
public sealed class KafkajsAdminSpec(JsKafkaNode node, ITestOutputHelper output)
{
    [Fact]
    public async Task Create_topics_must_create_them_with_their_configs_and_answer_false_for_an_existing_one()
    {
        var topic = KafkaNode.UniqueTopic("js-admin");
        var other = KafkaNode.UniqueTopic("js-admin");
        var results = await JsAdmin.RunAsync(
            node,
            output,
            new { op = "createTopics", topics = new object[] { new { topic, numPartitions = 4, configEntries = new[] { new { name = "retention.ms", value = "3600000" } } }, new { topic = other } } },
            new { op = "createTopics", topics = new[] { new { topic, numPartitions = 4 } } },
            new { op = "fetchTopicMetadata", topics = new[] { topic, other } },
            new { op = "listTopics" });

        Assert.True(results[0].GetBoolean());
        Assert.False(results[1].GetBoolean());
        var metadata = results[2].GetProperty("topics").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal([0, 1, 2, 3], metadata[topic].GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("partitionId").GetInt32()).Order());
        Assert.All(metadata[topic].GetProperty("partitions").EnumerateArray(), p => Assert.Equal(node.Process.NodeId, p.GetProperty("leader").GetInt32()));
        Assert.Single(metadata[other].GetProperty("partitions").EnumerateArray());
        Assert.Contains(topic, results[3].EnumerateArray().Select(t => t.GetString()));

        await using var admin = new AdminClient(new NativeAdminConfig { BootstrapServers = node.NativeBootstrap });
        var configs = await admin.DescribeTopicConfigsAsync(topic);
        Assert.Equal("3600000", configs.Single(c => c.Name == "retention.ms").Value);
    }

    [Fact]
    public async Task Fetch_topic_offsets_must_answer_each_partitions_low_and_high_watermark_and_by_timestamp()
    {
        var topic = await node.CreateTopicAsync("js-offsets", partitions: 2);
        var messages = JsRecords.Samples(7, partitions: 2);
        await JsScript.RunAsync("produce.js", new { node.Brokers, topic, messages }, output);

        var results = await JsAdmin.RunAsync(
            node,
            output,
            new { op = "fetchTopicOffsets", topic },
            new { op = "fetchTopicOffsetsByTimestamp", topic, timestamp = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds() },
            new { op = "fetchTopicOffsetsByTimestamp", topic, timestamp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds() });

        var offsets = results[0].EnumerateArray().OrderBy(p => p.GetProperty("partition").GetInt32()).ToList();
        Assert.Equal([("0", "4", "0"), ("1", "3", "0")], offsets.Select(p => (Text(p, "partition"), Text(p, "high"), Text(p, "low"))));
        Assert.All(results[1].EnumerateArray(), p => Assert.Equal("0", p.GetProperty("offset").GetString()));
        // No record at or after the timestamp: Kafka answers -1, which kafkajs turns into the high watermark.
        Assert.Equal(["4", "3"], results[2].EnumerateArray().OrderBy(p => p.GetProperty("partition").GetInt32()).Select(p => p.GetProperty("offset").GetString()));
    }

    [Fact]
    public async Task Create_partitions_and_delete_topics_must_change_what_metadata_lists()
    {
        var topic = await node.CreateTopicAsync("js-grow", partitions: 1);
        var results = await JsAdmin.RunAsync(
            node,
            output,
            new { op = "createPartitions", topicPartitions = new[] { new { topic, count = 3 } } },
            new { op = "fetchTopicMetadata", topics = new[] { topic } },
            new { op = "createPartitions", expectError = true, topicPartitions = new[] { new { topic, count = 2 } } },
            new { op = "deleteTopics", topics = new[] { topic } },
            new { op = "listTopics" });

        Assert.Equal(JsonValueKind.Null, results[0].ValueKind);
        Assert.Equal(3, results[1].GetProperty("topics")[0].GetProperty("partitions").GetArrayLength());
        Assert.Equal("INVALID_PARTITIONS", results[2].GetProperty("type").GetString());
        Assert.DoesNotContain(topic, results[4].EnumerateArray().Select(t => t.GetString()));
    }

    private static string Text(JsonElement element, string name) =>
        element.GetProperty(name) is { ValueKind: JsonValueKind.Number } number ? number.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : element.GetProperty(name).GetString()!;
}

/// <summary>Runs <c>js/admin.js</c>: each call's value, or for a call with <c>expectError</c> its error (name, message, type).</summary>
public static class JsAdmin
{
    public static async Task<IReadOnlyList<JsonElement>> RunAsync(JsKafkaNode node, ITestOutputHelper output, params object[] ops)
    {
        var result = await JsScript.RunAsync("admin.js", new { node.Brokers, ops }, output);
        return [.. result.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("ok").GetBoolean() ? r.GetProperty("value") : r.GetProperty("error"))];
    }
}
