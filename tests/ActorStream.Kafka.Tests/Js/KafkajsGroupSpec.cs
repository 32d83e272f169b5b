using System.Text.Json;
using ActorStream.Kafka.Tests.Support;

namespace ActorStream.Kafka.Tests.Js;

/// <summary>
/// kafkajs 2.2.4's consumer, unchanged (<c>js/consume.js</c>; kafkajs has no consumer without a group): one member
/// subscribed with <c>fromBeginning: true</c> reads every record byte for byte and commits it; two members of one group
/// split the partitions (disjoint, together all) and read each record once; the admin client lists and describes the
/// group (protocol, members, their decoded assignments), fetches its committed offsets and deletes it.
/// </summary>
[Collection(JsKafkaNodeCollection.Name)]
public sealed class KafkajsGroupSpec(JsKafkaNode node, ITestOutputHelper output)
{
    [Fact]
    public async Task A_member_subscribed_from_the_beginning_must_read_every_record_and_commit_the_ends()
    {
        const int partitions = 3;
        var topic = await node.CreateTopicAsync("js-group", partitions);
        var messages = JsRecords.Samples(45, partitions);
        await JsScript.RunAsync("produce.js", new { node.Brokers, topic, compression = "gzip", batchSize = 15, messages }, output);

        var group = KafkaNode.UniqueTopic("js-reader");
        await using var consumer = JsScript.Start("consume.js", new { node.Brokers, groupId = group, topics = new[] { topic }, fromBeginning = true, stopAfter = messages.Count });
        var stopped = await consumer.WaitForEventAsync("stopped", _ => true, "the consumer's stop after every record");
        await consumer.StopAsync(output);
        Assert.Equal(JsonValueKind.Null, stopped.GetProperty("crashed").ValueKind);

        var joined = consumer.EventsNamed("joined");
        Assert.NotEmpty(joined);
        Assert.Equal([0, 1, 2], Assignment(joined[^1], topic));
        Assert.True(joined[^1].GetProperty("isLeader").GetBoolean());
        var records = consumer.EventsNamed("record");
        for (var partition = 0; partition < partitions; partition++)
        {
            var expected = messages.Where(m => m.Partition == partition).Select(JsRecords.Describe).ToList();
            var read = records.Where(r => r.GetProperty("partition").GetInt32() == partition).ToList();
            Assert.Equal(Enumerable.Range(0, expected.Count), read.Select(r => r.GetProperty("offset").GetInt32()));
            Assert.Equal(expected, read.Select(JsRecords.Describe));
        }

        var results = await JsAdmin.RunAsync(
            node,
            output,
            new { op = "fetchOffsets", groupId = group, topics = new[] { topic } },
            new { op = "describeGroups", groupIds = new[] { group } });
        var committed = results[0][0].GetProperty("partitions").EnumerateArray().OrderBy(p => p.GetProperty("partition").GetInt32());
        Assert.Equal(["15", "15", "15"], committed.Select(p => p.GetProperty("offset").GetString()));
        var described = results[1].GetProperty("groups")[0];
        Assert.Equal("Empty", described.GetProperty("state").GetString());
        Assert.Equal(0, described.GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task Two_members_must_split_the_partitions_and_read_each_record_once_and_admin_must_describe_them()
    {
        const int partitions = 4;
        var topic = await node.CreateTopicAsync("js-split", partitions);
        var group = KafkaNode.UniqueTopic("js-split");
        await using var first = JsScript.Start("consume.js", new { node.Brokers, clientId = "member-a", groupId = group, topics = new[] { topic }, fromBeginning = true });
        await first.WaitForEventAsync("joined", _ => true, "the first member's join");
        await using var second = JsScript.Start("consume.js", new { node.Brokers, clientId = "member-b", groupId = group, topics = new[] { topic }, fromBeginning = true });

        // Both members in one generation: their latest assignments are disjoint and together cover the topic.
        var split = await JsScript.UntilAsync(
            () =>
            {
                var a = first.EventsNamed("joined");
                var b = second.EventsNamed("joined");
                if (a.Count == 0 || b.Count == 0)
                {
                    return null;
                }

                var (ofA, ofB) = (Assignment(a[^1], topic), Assignment(b[^1], topic));
                return ofA.Count > 0 && ofB.Count > 0 && !ofA.Intersect(ofB).Any() && ofA.Union(ofB).Order().SequenceEqual(Enumerable.Range(0, partitions))
                    ? (a[^1], b[^1], a.Count, b.Count)
                    : ((JsonElement, JsonElement, int, int)?)null;
            },
            JsScript.Timeout,
            () => $"the two members splitting the partitions{first.Describe()}{second.Describe()}");

        var messages = JsRecords.Samples(40, partitions);
        await JsScript.RunAsync("produce.js", new { node.Brokers, topic, batchSize = 8, messages }, output);
        await JsScript.UntilAsync(
            () => first.EventsNamed("record").Count + second.EventsNamed("record").Count >= messages.Count ? true : (bool?)null,
            JsScript.Timeout,
            () => $"every record read{first.Describe()}{second.Describe()}");

        // The group as kafkajs's admin client sees it while both members are in.
        var admin = await JsAdmin.RunAsync(
            node,
            output,
            new { op = "listGroups" },
            new { op = "describeGroups", groupIds = new[] { group } });
        var listed = admin[0].GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("groupId").GetString() == group);
        Assert.Equal("consumer", listed.GetProperty("protocolType").GetString());
        var described = admin[1].GetProperty("groups")[0];
        Assert.Equal("Stable", described.GetProperty("state").GetString());
        Assert.Equal("RoundRobinAssigner", described.GetProperty("protocol").GetString());
        var members = described.GetProperty("members").EnumerateArray().ToDictionary(m => m.GetProperty("memberId").GetString()!);
        Assert.Equal(
            new[] { split.Item1.GetProperty("memberId").GetString(), split.Item2.GetProperty("memberId").GetString() }.Order(),
            members.Keys.Order());
        foreach (var join in new[] { split.Item1, split.Item2 })
        {
            var member = members[join.GetProperty("memberId").GetString()!];
            Assert.Equal(Assignment(join, topic), Assignment(member.GetProperty("decodedAssignment"), topic, wrapped: false));
            Assert.Equal([topic], member.GetProperty("decodedMetadata").GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        }

        // No rebalance after the split: the same joins as when the partitions were split, so each record went to its
        // partition's owner.
        Assert.Equal(split.Item3, first.EventsNamed("joined").Count);
        Assert.Equal(split.Item4, second.EventsNamed("joined").Count);
        await first.StopAsync(output);
        await second.StopAsync(output);

        var readByA = first.EventsNamed("record");
        var readByB = second.EventsNamed("record");
        Assert.All(readByA, r => Assert.Contains(r.GetProperty("partition").GetInt32(), Assignment(split.Item1, topic)));
        Assert.All(readByB, r => Assert.Contains(r.GetProperty("partition").GetInt32(), Assignment(split.Item2, topic)));
        var all = readByA.Concat(readByB).Select(r => (r.GetProperty("partition").GetInt32(), r.GetProperty("offset").GetInt32())).ToList();
        Assert.Equal(messages.Count, all.Distinct().Count());
        Assert.Equal(messages.Count, all.Count);
        Assert.Equal(messages.Select(JsRecords.Describe).Order(StringComparer.Ordinal), readByA.Concat(readByB).Select(JsRecords.Describe).Order(StringComparer.Ordinal));

        var after = await JsAdmin.RunAsync(
            node,
            output,
            new { op = "fetchOffsets", groupId = group, topics = new[] { topic } },
            new { op = "deleteGroups", groupIds = new[] { group } },
            new { op = "listGroups" });
        Assert.Equal(
            Enumerable.Range(0, partitions).Select(p => messages.Count(m => m.Partition == p).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            after[0][0].GetProperty("partitions").EnumerateArray().OrderBy(p => p.GetProperty("partition").GetInt32()).Select(p => p.GetProperty("offset").GetString()));
        Assert.Equal(0, after[1][0].GetProperty("errorCode").GetInt32());
        Assert.DoesNotContain(group, after[2].GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("groupId").GetString()));
    }

    /// <summary>The partitions of <paramref name="topic"/> in a "joined" event (or, unwrapped, a decoded assignment).</summary>
    internal static List<int> Assignment(JsonElement joined, string topic, bool wrapped = true)
    {
        var assignment = wrapped ? joined.GetProperty("assignment") : joined;
        return assignment.ValueKind == JsonValueKind.Object && assignment.TryGetProperty(topic, out var partitions)
            ? [.. partitions.EnumerateArray().Select(p => p.GetInt32()).Order()]
            : [];
    }
}
