using System.Diagnostics;
using ActorStream.Client;
using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Serialization;
using ActorStream.Process.Tests.Support;
using ActorStream.Protocol;
using ActorStream.TestKit;
using Xunit.Abstractions;

namespace ActorStream.Process.Tests;

/// <summary>
/// Three real <c>actorstream node</c> processes, a topic with RF 3 and min.insync.replicas 2, and an idempotent
/// acks=all producer writing all along while the node leading the most partitions is killed with SIGKILL and
/// restarted, three times: every acknowledged record must be in the log exactly once, in order, at the offset it was
/// acknowledged with.
/// </summary>
public sealed class ClusterFailoverProcessSpec(ITestOutputHelper output) : IDisposable
{
    private const string Topic = "failover";
    private const int Partitions = 3;
    private const int Kills = 3;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-process", Guid.NewGuid().ToString("N"));
    private ProcessCluster? _cluster;

    public void Dispose()
    {
        _cluster?.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Acknowledged_records_must_survive_repeated_kill_9_of_the_busiest_leader_exactly_once_and_in_order()
    {
        Directory.CreateDirectory(_dir);
        var cluster = _cluster = new ProcessCluster(_dir, 3);
        var clock = Stopwatch.StartNew();
        await cluster.StartAllAsync();
        output.WriteLine($"3 nodes up after {clock.Elapsed.TotalSeconds:F1} s");

        // Kafka's default request timeout (30 s): a killed node's connection drops and its requests fail at once
        // (NodeLinks), so failover must not depend on how long a request may take.
        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = cluster.Bootstrap });
        await ReplicatedTopic.CreateAsync(admin, Topic, Partitions, Patience);
        await WaitForFullIsrAsync(admin, "the new topic");

        var producerConfig = new ProducerConfig
        {
            BootstrapServers = cluster.Bootstrap,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 2,
            RetryBackoffMs = 100,
            DeliveryTimeoutMs = 120_000,
            MetadataMaxAgeMs = 5000,
        };
        await using var producer = new SequencedProducer(producerConfig, Topic, Partitions, window: 32);
        await producer.StartAsync();
        await Eventually.TrueAsync(() => Enumerable.Range(0, Partitions).All(p => producer.AcknowledgedIn(p).Count > 0), Patience, "a first acknowledged record in every partition");

        var kills = new int[cluster.Size];
        for (var round = 1; round <= Kills; round++)
        {
            var leaders = (await DescribeAsync(admin)).Partitions.ToDictionary(p => p.Partition, p => p.Leader);
            var victim = leaders.Values.Where(l => l >= 0).GroupBy(l => l)
                .OrderByDescending(g => g.Count()).ThenBy(g => kills[g.Key]).ThenBy(g => g.Key).First().Key;
            var led = leaders.Where(l => l.Value == victim).Select(l => l.Key).Order().ToList();
            kills[victim]++;

            var ackedBefore = producer.AcknowledgedCount;
            cluster.Kill(victim);
            // Taken once the process is gone: a record sent while the kill was under way could still be acknowledged by it.
            var killedAt = Stopwatch.GetTimestamp();
            output.WriteLine($"round {round}: killed node {victim}, leader of partitions [{string.Join(',', led)}], after {ackedBefore} acknowledged records");

            await Eventually.TrueAsync(
                () => led.All(p => producer.FirstAcknowledgedSentSince(p, killedAt) is not null),
                Patience,
                $"round {round}: an acks=all record sent after the kill of node {victim} acknowledged in each of [{string.Join(',', led)}]; failures: {string.Join("; ", producer.Failures.Take(5))}\n{cluster.Output()}");
            foreach (var partition in led)
            {
                var failover = Stopwatch.GetElapsedTime(killedAt, producer.FirstAcknowledgedSentSince(partition, killedAt)!.Value);
                output.WriteLine($"round {round}: partition {partition} failover (kill -> first acks=all ack) {failover.TotalSeconds:F2} s");
            }

            var restartAt = Stopwatch.GetTimestamp();
            await cluster.StartAsync(victim);
            output.WriteLine($"round {round}: node {victim} restarted ('is up') in {Stopwatch.GetElapsedTime(restartAt).TotalSeconds:F2} s");
            await WaitForFullIsrAsync(admin, $"round {round}: node {victim} back in the ISR of every partition");
            output.WriteLine($"round {round}: node {victim} back in every ISR {Stopwatch.GetElapsedTime(restartAt).TotalSeconds:F2} s after its restart");
        }

        await producer.StopAsync(TimeSpan.FromSeconds(150));
        output.WriteLine($"producer stopped: {producer.AcknowledgedCount} acknowledged, {producer.Failures.Count} failed");
        Assert.True(producer.Failures.Count == 0, $"with unlimited retries and a 120 s delivery timeout no record may fail: {string.Join("; ", producer.Failures.Take(10))}");

        var description = await DescribeAsync(admin);
        output.WriteLine($"before consuming: {string.Join("; ", description.Partitions.Select(p => $"partition {p.Partition} leader {p.Leader} ISR [{string.Join(',', p.Isr)}]"))}");
        var consumed = await ConsumeEverythingAsync(cluster.Bootstrap, admin, output);
        for (var partition = 0; partition < Partitions; partition++)
        {
            var records = consumed[partition];
            for (var i = 1; i < records.Count; i++)
            {
                Assert.True(
                    records[i].Sequence > records[i - 1].Sequence,
                    $"partition {partition}: sequence {records[i].Sequence} at offset {records[i].Offset} follows {records[i - 1].Sequence} at offset {records[i - 1].Offset}: a duplicate or out of order");
            }

            var offsetBySequence = records.ToDictionary(r => r.Sequence, r => r.Offset);
            var acknowledged = producer.AcknowledgedIn(partition);
            Assert.NotEmpty(acknowledged);
            foreach (var ack in acknowledged)
            {
                Assert.True(offsetBySequence.TryGetValue(ack.Sequence, out var offset), $"partition {partition}: acknowledged record {ack.Sequence} (offset {ack.Offset}) is lost");
                Assert.Equal(ack.Offset, offset);
            }

            output.WriteLine($"partition {partition}: {acknowledged.Count} acknowledged, {records.Count} in the log");
        }

        output.WriteLine($"whole test {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task<TopicDescription> DescribeAsync(AdminClient admin) =>
        (await admin.DescribeTopicsAsync([Topic])).Single();

    private async Task WaitForFullIsrAsync(AdminClient admin, string what)
    {
        TopicDescription? last = null;
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    last = await DescribeAsync(admin);
                }
                catch (ActorStreamException)
                {
                    return false;
                }

                // Led by the preferred leader too: until auto leader rebalance has moved it back, a leader is about to change.
                return last.Partitions.Count == Partitions && last.Partitions.All(p => p.Replicas.Count == 3 && p.Isr.Count == 3 && p.Leader == p.Replicas[0]);
            },
            Patience,
            $"{what} (and led by its preferred leader); last seen: {Describe(last)}\n{_cluster!.Output()}");
    }

    private static string Describe(TopicDescription? topic) => topic is null
        ? "nothing"
        : string.Join("; ", topic.Partitions.Select(p => $"p{p.Partition} leader {p.Leader} epoch {p.LeaderEpoch} isr [{string.Join(',', p.Isr)}]"));

    private static async Task<List<(long Offset, long Sequence)>[]> ConsumeEverythingAsync(string bootstrap, AdminClient admin, ITestOutputHelper output)
    {
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Topic, p)).ToList();
        var ends = await admin.ListOffsetsAsync(partitions.ToDictionary(tp => tp, _ => OffsetSpec.Latest));
        output.WriteLine($"consuming up to the ends {string.Join(", ", ends.Select(e => $"{e.Key.Partition}: {e.Value.Offset}"))}");
        var consumed = Enumerable.Range(0, Partitions).Select(_ => new List<(long Offset, long Sequence)>()).ToArray();
        await using var consumer = new Consumer<Null?, string?>(
            new ConsumerConfig { BootstrapServers = bootstrap, AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false, MaxPollRecords = 5000 },
            Deserializers.Null,
            Deserializers.Utf8);
        consumer.Assign(partitions);
        consumer.SeekToBeginning(partitions);
        await Eventually.TrueAsync(
            async () =>
            {
                foreach (var record in await consumer.PollAsync(TimeSpan.FromMilliseconds(200)))
                {
                    var (partition, sequence) = SequencedProducer.Parse(record.Value!);
                    Assert.Equal(record.Partition, partition);
                    consumed[partition].Add((record.Offset, sequence));
                }

                return partitions.All(tp => consumer.Position(tp) >= ends[tp].Offset);
            },
            Patience,
            "consuming every partition up to its end");
        return consumed;
    }
}
