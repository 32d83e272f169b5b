using System.Diagnostics;
using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;

namespace ActorStream.Kafka.Tests.Faults;

/// <summary>
/// A Confluent.Kafka group member commits offsets and leaves; the node (the group coordinator's, on a single node) is
/// killed with -9 and started again on its data dir: OffsetFetch returns the same offsets, and a new member of the group
/// resumes exactly at them, reading neither less nor more.
/// </summary>
public sealed class CommittedOffsetsRestartSpec(RestartableKafkaNode node, ITestOutputHelper output) : IClassFixture<RestartableKafkaNode>
{
    private const int Partitions = 3;
    private const int PerPartition = 10;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly long[] Committed = [4, 7, PerPartition];

    private ConsumerConfig GroupConfig(string group) => new()
    {
        BootstrapServers = node.KafkaBootstrap,
        GroupId = group,
        ClientId = "offsets-restart",
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        SessionTimeoutMs = 6_000,
        HeartbeatIntervalMs = 1_000,
        ReconnectBackoffMaxMs = 1_000,
        BrokerAddressFamily = BrokerAddressFamily.V4,
        Debug = Environment.GetEnvironmentVariable("ACTORSTREAM_KAFKA_DEBUG"),
    };

    [Fact]
    public async Task Committed_offsets_must_survive_a_kill_9_and_restart_of_the_coordinators_node()
    {
        var clock = Stopwatch.StartNew();
        var topic = await node.CreateTopicAsync("offsets-restart", Partitions);
        var group = KafkaNode.UniqueTopic("offsets-restart-group");
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)).ToList();
        var expected = partitions.Select(p => new TopicPartitionOffset(p, Committed[p.Partition.Value])).ToList();
        using (var producer = KafkaClients.Producer<Null, string>(KafkaClients.ProducerConfig(node.KafkaBootstrap), output))
        {
            foreach (var partition in partitions)
            {
                for (var n = 0; n < PerPartition; n++)
                {
                    await producer.ProduceAsync(partition, new Message<Null, string> { Value = $"{partition.Partition.Value}-{n}" });
                }
            }
        }

        await Task.Run(() =>
        {
            using var member = KafkaClients.Consumer<Ignore, string>(GroupConfig(group), output);
            member.Subscribe(topic);
            var read = ConsumeUntil(member, Partitions * PerPartition);
            Assert.Equal(Partitions * PerPartition, read.Select(r => (r.Partition.Value, r.Offset.Value)).Distinct().Count());
            // A commit from a member of the group's generation, acknowledged when Commit returns.
            member.Commit(expected);
            Assert.Equal(Format(expected), Format(member.Committed(partitions, KafkaClients.Timeout)));
            member.Close();
        });
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: committed {Format(expected)} and left");

        await node.KillAndRestartAsync();
        var restartedAt = clock.Elapsed;
        output.WriteLine($"{restartedAt.TotalSeconds:F1} s: node killed and restarted on its data dir (pid {node.Process.Pid})");

        using var producerAfter = KafkaClients.Producer<Null, string>(KafkaClients.ProducerConfig(node.KafkaBootstrap), output);
        foreach (var partition in partitions)
        {
            await producerAfter.ProduceAsync(partition, new Message<Null, string> { Value = $"{partition.Partition.Value}-after" });
        }

        await Task.Run(async () =>
        {
            using var member = KafkaClients.Consumer<Ignore, string>(GroupConfig(group), output);
            // The coordinator may still be recovering the group: OffsetFetch answers once it has.
            await Eventually.AssertAsync(
                () =>
                {
                    Assert.Equal(Format(expected), Format(member.Committed(partitions, KafkaClients.Timeout)));
                    return Task.CompletedTask;
                },
                Patience);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: OffsetFetch after the restart: {Format(expected)}");

            member.Subscribe(topic);
            // From the committed offsets to the end (PerPartition + 1 records per partition now).
            var count = Committed.Sum(c => PerPartition + 1 - (int)c);
            var read = ConsumeUntil(member, count);
            foreach (var partition in partitions)
            {
                var p = partition.Partition.Value;
                Assert.Equal(
                    LongRange(Committed[p], PerPartition + 1),
                    read.Where(r => r.Partition.Value == p).Select(r => r.Offset.Value).Order());
            }

            member.Close();
        });
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: a new member resumed at the committed offsets");
    }

    private static IEnumerable<long> LongRange(long from, long to)
    {
        for (var o = from; o < to; o++)
        {
            yield return o;
        }
    }

    /// <summary>Consumes until <paramref name="count"/> records arrived, failing after <see cref="Patience"/>.</summary>
    private static List<ConsumeResult<Ignore, string>> ConsumeUntil(IConsumer<Ignore, string> consumer, int count)
    {
        var records = new List<ConsumeResult<Ignore, string>>();
        var clock = Stopwatch.StartNew();
        while (records.Count < count)
        {
            Assert.True(clock.Elapsed < Patience, $"consumed {records.Count} of {count} records in {Patience}: {string.Join(", ", records.Select(r => $"{r.Partition.Value}@{r.Offset.Value}"))}");
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } result)
            {
                records.Add(result);
            }
        }

        return records;
    }

    private static string Format(IEnumerable<TopicPartitionOffset> offsets) =>
        string.Join(" ", offsets.OrderBy(o => o.Partition.Value).Select(o => $"{o.Partition.Value}:{o.Offset.Value}"));
}
