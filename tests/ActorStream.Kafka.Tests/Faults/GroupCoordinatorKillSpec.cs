using System.Diagnostics;
using ActorStream.Client.Admin;
using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using NativeAdminConfig = ActorStream.Client.Config.AdminConfig;

namespace ActorStream.Kafka.Tests.Faults;

/// <summary>
/// kill -9 of the node hosting the group coordinator singleton while two Confluent.Kafka consumers are in a group of a
/// 6-partition topic on the 3-node cluster, a producer writing all along. Commits are stopped just before the kill, so
/// what the coordinator acknowledged last is known exactly: the group comes back on another node (FindCoordinator names
/// it), OffsetFetch there returns exactly those offsets, the consumers read records sent after the failover, and after
/// one of them leaves (a rebalance on the new coordinator) every acknowledged record has been consumed at least once,
/// each new owner of a partition starting at or after the last commit (duplicates only after it, as Kafka allows).
/// </summary>
[Collection(KafkaClusterCollection.Name)]
public sealed class GroupCoordinatorKillSpec(KafkaCluster cluster, ITestOutputHelper output)
{
    private const int Partitions = 6;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private void Log(string line) => output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {_clock.Elapsed.TotalSeconds,6:F1} s: {line}");

    private ConsumerConfig GroupConfig(string group) => new()
    {
        BootstrapServers = cluster.KafkaBootstrap,
        GroupId = group,
        ClientId = "coordinator-kill",
        AutoOffsetReset = AutoOffsetReset.Earliest,
        SessionTimeoutMs = 6_000,
        HeartbeatIntervalMs = 1_000,
        MaxPollIntervalMs = 60_000,
        SocketTimeoutMs = 30_000,
        ReconnectBackoffMaxMs = 1_000,
        BrokerAddressFamily = BrokerAddressFamily.V4,
    };

    [Fact]
    public async Task The_group_must_keep_its_committed_offsets_and_skip_no_record_when_the_coordinators_node_is_killed()
    {
        var topic = KafkaNode.UniqueTopic("coordinator-kill");
        var group = KafkaNode.UniqueTopic("coordinator-kill-group");
        await using var native = new AdminClient(new NativeAdminConfig { BootstrapServers = cluster.NativeBootstrap });
        await ReplicatedTopic.CreateAsync(native, topic, Partitions);
        await ReplicatedTopic.WaitForFullIsrAsync(native, topic, Partitions, "the new topic", cluster.Output);

        var producerConfig = KafkaClients.ProducerConfig(cluster.KafkaBootstrap);
        producerConfig.EnableIdempotence = true;
        producerConfig.Acks = Acks.All;
        // Longer than a failover: no record may time out while the killed node's partitions move.
        producerConfig.MessageTimeoutMs = 120_000;
        using var client = KafkaClients.Producer<Null, string>(producerConfig, output);
        await using var producer = new PacedProducer(client, topic, Partitions, TimeSpan.FromMilliseconds(20), _clock);
        producer.Start();

        using var a = new PolledGroupConsumer("a", GroupConfig(group), topic, _clock, output);
        using var b = new PolledGroupConsumer("b", GroupConfig(group), topic, _clock, output);
        PolledGroupConsumer[] consumers = [a, b];
        await Eventually.TrueAsync(
            () => a.Assignment.Count > 0 && b.Assignment.Count > 0 && a.Assignment.Count + b.Assignment.Count == Partitions
                && PolledGroupConsumer.LastCommittedBy(a, b).Count == Partitions,
            Patience,
            $"both consumers sharing the {Partitions} partitions and a commit acknowledged for each: {a}; {b}; producer {producer}\n{cluster.Output()}");
        Log($"group formed: {a}; {b}");

        var coordinator = await CoordinatorAsync(group, node => true, "the group's coordinator");
        await a.DisableCommitsAsync(Patience);
        await b.DisableCommitsAsync(Patience);
        var committed = PolledGroupConsumer.LastCommittedBy(a, b);
        Log($"commits stopped; last acknowledged: {Format(committed)}; the coordinator is on node {coordinator}");
        using (var admin = KafkaClients.Admin(cluster.KafkaBootstrap, output))
        {
            Assert.Equal(Format(committed), Format(await CommittedOffsetsAsync(admin, group, topic)));
        }

        cluster.Kill(coordinator);
        var killedAt = _clock.Elapsed;
        Log($"killed node {coordinator}, the coordinator's");
        try
        {
            var moved = await CoordinatorAsync(group, node => node != coordinator, $"a coordinator other than the killed node {coordinator}");
            Log($"FindCoordinator names node {moved}, {(_clock.Elapsed - killedAt).TotalSeconds:F1} s after the kill");

            using (var admin = KafkaClients.Admin(Survivors(coordinator), output))
            {
                await Eventually.AssertAsync(
                    async () => Assert.Equal(Format(committed), Format(await CommittedOffsetsAsync(admin, group, topic))),
                    Patience);
                Log($"the new coordinator returns the committed offsets, {(_clock.Elapsed - killedAt).TotalSeconds:F1} s after the kill");
            }

            a.EnableCommits();
            b.EnableCommits();
            var sentAfterMove = producer.Next;
            await Eventually.TrueAsync(
                () => consumers.SelectMany(c => c.Records).Where(r => long.Parse(r.Value, System.Globalization.CultureInfo.InvariantCulture) >= sentAfterMove)
                    .Select(r => r.Partition).Distinct().Count() == Partitions,
                Patience,
                $"every partition consumed again (a record sent after the coordinator moved): {a}; {b}; producer {producer}\n{cluster.Output()}");
            Log($"consuming every partition again {(_clock.Elapsed - killedAt).TotalSeconds:F1} s after the kill: {a}; {b}");

            using (var admin = KafkaClients.Admin(Survivors(coordinator), output))
            {
                await Eventually.AssertAsync(
                    async () =>
                    {
                        var described = (await admin.DescribeConsumerGroupsAsync([group], new DescribeConsumerGroupsOptions { RequestTimeout = KafkaClients.Timeout })).ConsumerGroupDescriptions.Single();
                        Assert.Equal(ConsumerGroupState.Stable, described.State);
                        Assert.Equal(moved, described.Coordinator.Id);
                        Assert.Equal(new[] { a.MemberId, b.MemberId }.Order(StringComparer.Ordinal), described.Members.Select(m => m.ConsumerId).Order(StringComparer.Ordinal));
                    },
                    Patience);
            }

            // A rebalance on the new coordinator: b leaves, a takes b's partitions from their committed offsets.
            await b.CloseAsync(Patience);
            await Eventually.TrueAsync(() => a.Assignment.Count == Partitions, Patience, $"consumer a taking every partition after b left: {a}\n{cluster.Output()}");
            Log($"b left; a holds every partition: {a}");

            await producer.StopAsync(Patience);
            Log($"producer stopped: {producer}");
            Assert.Empty(producer.Failures);
            var produced = producer.Acknowledged;
            await Eventually.TrueAsync(
                () =>
                {
                    var consumed = consumers.SelectMany(c => c.Records).Select(r => (r.Partition, r.Offset)).ToHashSet();
                    return produced.All(r => consumed.Contains((r.Partition, r.Offset)));
                },
                Patience,
                $"every acknowledged record consumed: {a}; {b}");
            GroupLedger.AssertNothingSkipped(produced, consumers);
            var duplicates = GroupLedger.AssertAssignmentsStartAtTheLastCommit(consumers, Log);
            Log($"{produced.Count} acknowledged records consumed, {duplicates} of them more than once");
        }
        finally
        {
            // The other specs of the collection need all three nodes.
            if (!cluster.IsRunning(coordinator))
            {
                await cluster.RestartAsync(coordinator);
                Log($"node {coordinator} restarted");
            }
        }
    }

    /// <summary><c>bootstrap.servers</c> without the killed node.</summary>
    private string Survivors(int killed) =>
        string.Join(',', Enumerable.Range(0, KafkaCluster.Size).Where(n => n != killed).Select(n => $"127.0.0.1:{cluster.KafkaPort(n)}"));

    /// <summary>
    /// The node FindCoordinator names for the group, asked of every running node until they all name the same one
    /// and it satisfies <paramref name="accept"/> (while the singleton moves, COORDINATOR_NOT_AVAILABLE).
    /// </summary>
    private async Task<int> CoordinatorAsync(string group, Func<int, bool> accept, string what)
    {
        var found = -1;
        var answers = "";
        await Eventually.TrueAsync(
            async () =>
            {
                var running = Enumerable.Range(0, KafkaCluster.Size).Where(cluster.IsRunning).ToList();
                var responses = await Task.WhenAll(running.Select(async n =>
                {
                    try
                    {
                        return await KafkaWire.FindGroupCoordinatorAsync(cluster.KafkaPort(n), group);
                    }
                    catch (OperationCanceledException e)
                    {
                        throw new TimeoutException($"node {n} did not answer FindCoordinator within {RawKafkaClient.Timeout.TotalSeconds} s ({what})", e);
                    }
                }));
                answers = string.Join("; ", responses.Select((r, i) => $"node {running[i]}: error {r.ErrorCode} node {r.NodeId}"));
                var named = responses.Where(r => r.ErrorCode == 0).Select(r => r.NodeId).Distinct().ToList();
                if (responses.All(r => r.ErrorCode == 0) && named.Count == 1 && accept(named[0]))
                {
                    found = named[0];
                    return true;
                }

                return false;
            },
            Patience,
            $"{what}; FindCoordinator answers: {answers}\n{cluster.Output()}");
        return found;
    }

    private static async Task<IReadOnlyDictionary<int, long>> CommittedOffsetsAsync(IAdminClient admin, string group, string topic)
    {
        var partitions = Enumerable.Range(0, Partitions).Select(p => new Confluent.Kafka.TopicPartition(topic, p)).ToList();
        var result = await admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(group, partitions)],
            new ListConsumerGroupOffsetsOptions { RequestTimeout = KafkaClients.Timeout });
        return result.Single().Partitions.Where(p => p.Offset.Value >= 0).ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
    }

    private static string Format(IReadOnlyDictionary<int, long> offsets) =>
        string.Join(" ", offsets.OrderBy(o => o.Key).Select(o => $"{o.Key}:{o.Value}"));
}
