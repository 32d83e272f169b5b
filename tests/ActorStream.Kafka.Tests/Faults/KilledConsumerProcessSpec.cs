using System.Diagnostics;
using System.Globalization;
using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;

namespace ActorStream.Kafka.Tests.Faults;

/// <summary>
/// A group member in a process of its own (kcat's balanced consumer, librdkafka) is killed with -9 while it shares a
/// 4-partition topic with an in-process Confluent.Kafka consumer: the killed member sent no LeaveGroup, so its
/// partitions stay with it until its session timeout expires (6 s, Kafka's minimum), and only then does the Confluent
/// consumer take every partition and read the records produced after the kill.
/// </summary>
[Collection(KafkaNodeCollection.Name)]
public sealed class KilledConsumerProcessSpec(KafkaNode node, ITestOutputHelper output)
{
    private const int Partitions = 4;
    private const int SessionTimeoutMs = 6_000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private void Log(string line) => output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {_clock.Elapsed.TotalSeconds,6:F1} s: {line}");

    [Fact]
    public async Task A_consumer_killed_with_9_must_keep_its_partitions_until_its_session_timeout_and_then_the_other_member_takes_them()
    {
        var topic = await node.CreateTopicAsync("kcat-killed", Partitions);
        var group = KafkaNode.UniqueTopic("kcat-killed-group");
        using var producer = KafkaClients.Producer<Null, string>(KafkaClients.ProducerConfig(node.KafkaBootstrap), output);
        var before = await ProduceAsync(producer, topic, "before", perPartition: 5);

        using var kcat = KcatGroupConsumer.Start(node.KafkaBootstrap, group, topic, new Dictionary<string, string>
        {
            ["session.timeout.ms"] = SessionTimeoutMs.ToString(CultureInfo.InvariantCulture),
            ["heartbeat.interval.ms"] = "500",
            ["auto.offset.reset"] = "earliest",
            ["auto.commit.interval.ms"] = "200",
            ["broker.address.family"] = "v4",
        });
        await Eventually.TrueAsync(() => kcat.Records.Count >= Partitions * 5, Patience, $"kcat alone in the group reading every partition: {kcat}\n{node.Output()}");
        Log($"kcat (pid {kcat.Pid}) read {kcat.Records.Count} records alone in the group");

        var config = new ConsumerConfig
        {
            BootstrapServers = node.KafkaBootstrap,
            GroupId = group,
            ClientId = "kcat-killed",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeoutMs = SessionTimeoutMs,
            HeartbeatIntervalMs = 500,
            BrokerAddressFamily = BrokerAddressFamily.V4,
        };
        using var confluent = new PolledGroupConsumer("confluent", config, topic, _clock, output);
        await Eventually.TrueAsync(() => confluent.Assignment.Count is > 0 and < Partitions, Patience, $"the Confluent consumer sharing the partitions with kcat: {confluent}; {kcat}\n{node.Output()}");
        var kcatPartitions = Enumerable.Range(0, Partitions).Except(confluent.Assignment).ToList();
        Log($"split: Confluent [{string.Join(",", confluent.Assignment)}], kcat [{string.Join(",", kcatPartitions)}]");

        // kcat really holds its partitions: it reads what is produced to them now.
        var shared = await ProduceAsync(producer, topic, "shared", perPartition: 2);
        await Eventually.TrueAsync(
            () => kcatPartitions.All(p => kcat.Records.Count(r => r.Partition == p && r.Value.StartsWith("shared", StringComparison.Ordinal)) == 2),
            Patience,
            $"kcat reading the records produced to its partitions [{string.Join(",", kcatPartitions)}]: {kcat}");

        kcat.Kill();
        var killedAt = _clock.Elapsed;
        Log($"killed kcat (pid {kcat.Pid}) with SIGKILL");
        var after = await ProduceAsync(producer, topic, "after", perPartition: 3);

        await Eventually.TrueAsync(() => confluent.Assignment.Count == Partitions, Patience, $"the Confluent consumer taking every partition after kcat's session timeout: {confluent}\n{node.Output()}");
        var takenAt = confluent.Events.OfType<PartitionsAssigned>().Last(e => e.Partitions.Count == Partitions).At;
        Log($"the Confluent consumer holds every partition {(takenAt - killedAt).TotalSeconds:F1} s after the kill (session.timeout.ms {SessionTimeoutMs})");
        // A lower bound only, which load cannot break: kcat's last heartbeat was at most ~0.5 s before the kill.
        Assert.True(
            takenAt - killedAt >= TimeSpan.FromMilliseconds(SessionTimeoutMs / 2),
            $"the killed member's partitions were reassigned {(takenAt - killedAt).TotalSeconds:F1} s after the kill, before its {SessionTimeoutMs} ms session could expire: it was expelled as if it had left");

        await Eventually.TrueAsync(
            () => after.All(v => confluent.Records.Any(r => r.Value == v)),
            Patience,
            $"the Confluent consumer reading every record produced after the kill: {confluent}");
        var everyValue = confluent.Records.Select(r => r.Value).Concat(kcat.Records.Select(r => r.Value)).ToHashSet(StringComparer.Ordinal);
        var unread = before.Concat(shared).Concat(after).Where(v => !everyValue.Contains(v)).ToList();
        Assert.True(unread.Count == 0, $"records neither member read: {string.Join(", ", unread)}");
    }

    /// <summary>Produces <paramref name="perPartition"/> records <c>prefix-P-N</c> to every partition; returns the values.</summary>
    private static async Task<List<string>> ProduceAsync(IProducer<Null, string> producer, string topic, string prefix, int perPartition)
    {
        var values = new List<string>();
        for (var p = 0; p < Partitions; p++)
        {
            for (var n = 0; n < perPartition; n++)
            {
                var value = $"{prefix}-{p}-{n}";
                await producer.ProduceAsync(new TopicPartition(topic, p), new Message<Null, string> { Value = value });
                values.Add(value);
            }
        }

        return values;
    }
}
