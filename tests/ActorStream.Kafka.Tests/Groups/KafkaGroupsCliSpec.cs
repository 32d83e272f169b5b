using System.Diagnostics;
using System.Globalization;
using ActorStream.Client.Admin;
using ActorStream.Kafka.Tests.Faults;
using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;
using NativeAdminConfig = ActorStream.Client.Config.AdminConfig;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// <c>actorstream groups list|describe|reset-offsets</c> on the 3-node cluster with both kinds of group on one topic: a
/// Kafka-protocol group (two Confluent.Kafka members) and a native one (<c>actorstream consume --group</c>). Describe
/// shows the Kafka group's members (id, client id, topics, assignment) and which member owns each partition, as the
/// consumers' own callbacks say, and its lag going to zero once they commit; list --state names its protocol; once they closed, reset-offsets moves the Empty Kafka group's offsets (and the native
/// group's) and a new Confluent.Kafka member resumes exactly at the reset offsets.
/// </summary>
[Collection(KafkaClusterCollection.Name)]
public sealed class KafkaGroupsCliSpec(KafkaCluster cluster, ITestOutputHelper output)
{
    private const int Partitions = 3;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private void Log(string line) => output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {_clock.Elapsed.TotalSeconds,6:F1} s: {line}");

    private ConsumerConfig GroupConfig(string group) => new()
    {
        BootstrapServers = cluster.KafkaBootstrap,
        GroupId = group,
        ClientId = "groups-cli",
        AutoOffsetReset = AutoOffsetReset.Earliest,
        SessionTimeoutMs = 6_000,
        HeartbeatIntervalMs = 1_000,
        ReconnectBackoffMaxMs = 1_000,
        BrokerAddressFamily = BrokerAddressFamily.V4,
    };

    [Fact]
    public async Task Groups_list_describe_and_reset_offsets_must_work_on_a_Kafka_protocol_group_and_a_native_group()
    {
        var topic = KafkaNode.UniqueTopic("groups-cli");
        var kafkaGroup = KafkaNode.UniqueTopic("groups-cli-kafka");
        var nativeGroup = KafkaNode.UniqueTopic("groups-cli-native");
        await using (var native = new AdminClient(new NativeAdminConfig { BootstrapServers = cluster.NativeBootstrap }))
        {
            await ReplicatedTopic.CreateAsync(native, topic, Partitions);
            await ReplicatedTopic.WaitForFullIsrAsync(native, topic, Partitions, "the new topic", cluster.Output);
        }

        using var producer = KafkaClients.Producer<Null, string>(KafkaClients.ProducerConfig(cluster.KafkaBootstrap), output);
        await ProduceAsync(producer, topic, 10);

        using var a = new PolledGroupConsumer("a", GroupConfig(kafkaGroup), topic, _clock, output);
        using var b = new PolledGroupConsumer("b", GroupConfig(kafkaGroup), topic, _clock, output);
        await Eventually.TrueAsync(
            () => a.Assignment.Count > 0 && b.Assignment.Count > 0 && a.Records.Count + b.Records.Count >= Partitions * 10
                && PolledGroupConsumer.LastCommittedBy(a, b).Values.Count(o => o == 10) == Partitions,
            Patience,
            $"both members sharing the partitions, every record read and committed: {a}; {b}\n{cluster.Output()}");
        Log($"Kafka group formed: {a}; {b}");

        // Lag: the members read 5 more records per partition but do not commit them yet.
        await a.DisableCommitsAsync(Patience);
        await b.DisableCommitsAsync(Patience);
        await ProduceAsync(producer, topic, 5);
        await Eventually.TrueAsync(() => a.Records.Count + b.Records.Count >= Partitions * 15, Patience, $"the members reading the 5 new records per partition: {a}; {b}");

        var listed = (await RunOkAsync("groups", "list", "--bootstrap-server", cluster.NativeBootstrap)).Stdout;
        // The native group does not exist yet: list shows the Kafka group.
        Assert.Contains(kafkaGroup, FirstColumn(listed));

        var (described, state) = await DescribeAsync(kafkaGroup);
        Assert.Contains($"Group {kafkaGroup} is Stable with 2 member(s)", state, StringComparison.Ordinal);
        var owners = Enumerable.Range(0, Partitions).ToDictionary(p => p, p => a.Assignment.Contains(p) ? a.MemberId : b.MemberId);
        Assert.Equal(
            Enumerable.Range(0, Partitions).Select(p => $"{kafkaGroup} {topic} {p} 10 15 5 {owners[p]}"),
            described.Select(Row));

        a.EnableCommits();
        b.EnableCommits();
        await Eventually.AssertAsync(
            async () =>
            {
                var (rows, _) = await DescribeAsync(kafkaGroup);
                Assert.Equal(Enumerable.Range(0, Partitions).Select(p => $"{kafkaGroup} {topic} {p} 15 15 0 {owners[p]}"), rows.Select(Row));
            },
            Patience);
        Log("describe: the Kafka group's lag went to zero");

        // The members as the consumers know themselves: id, client id, subscription and assignment.
        var (membersTable, _) = await RunOkAsync("groups", "describe", "--bootstrap-server", cluster.NativeBootstrap, "--group", kafkaGroup, "--members");
        Log($"groups describe --members:\n{membersTable}");
        var header = membersTable.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var memberRows = membersTable.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(cells => cells[header.IndexOf("CONSUMER-ID")]);
        foreach (var member in new[] { a, b })
        {
            Assert.True(memberRows.TryGetValue(member.MemberId, out var cells), $"member {member.MemberId} in:\n{membersTable}");
            Assert.Equal("groups-cli", cells[header.IndexOf("CLIENT-ID")]);
            Assert.Equal(topic, cells[header.IndexOf("TOPICS")]);
            Assert.Equal($"{topic}({string.Join(",", member.Assignment)})", cells[header.IndexOf("ASSIGNMENT")]);
        }

        // A native group on the same topic, listed and described beside the Kafka one.
        await RunOkAsync("consume", "--bootstrap-server", cluster.NativeBootstrap, "--topic", topic, "--group", nativeGroup, "--from-beginning", "--max-messages", (Partitions * 15).ToString(CultureInfo.InvariantCulture), "--timeout-ms", "60000");
        // GROUP STATE PROTOCOL PROTOCOL-TYPE: the native group has no members left, so no protocol.
        listed = (await RunOkAsync("groups", "list", "--bootstrap-server", cluster.NativeBootstrap, "--state")).Stdout;
        var states = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToDictionary(cells => cells[0], cells => string.Join(' ', cells.Skip(1)));
        Assert.Equal("Stable kafka consumer", states.GetValueOrDefault(kafkaGroup));
        Assert.StartsWith("Empty ", states.GetValueOrDefault(nativeGroup), StringComparison.Ordinal);
        var (nativeRows, _) = await DescribeAsync(nativeGroup);
        Assert.Equal(Enumerable.Range(0, Partitions).Select(p => $"{nativeGroup} {topic} {p} 15 15 0 -"), nativeRows.Select(Row));

        await a.CloseAsync(Patience);
        await b.CloseAsync(Patience);
        Log("both Kafka members closed");
        await Eventually.AssertAsync(
            async () => Assert.Contains($"Group {kafkaGroup} is Empty with 0 member(s)", (await DescribeAsync(kafkaGroup)).State, StringComparison.Ordinal),
            Patience);

        var reset = await RunOkAsync("groups", "reset-offsets", "--bootstrap-server", cluster.NativeBootstrap, "--group", kafkaGroup, "--topic", topic, "--to-offset", "3", "--execute");
        Assert.Equal(Enumerable.Range(0, Partitions).Select(p => $"{kafkaGroup} {topic} {p} 3"), Rows(reset.Stdout, kafkaGroup).Select(Row));
        Assert.Equal(Enumerable.Range(0, Partitions).Select(p => $"{kafkaGroup} {topic} {p} 3 15 12 -"), (await DescribeAsync(kafkaGroup)).Rows.Select(Row));
        await RunOkAsync("groups", "reset-offsets", "--bootstrap-server", cluster.NativeBootstrap, "--group", nativeGroup, "--all-topics", "--shift-by", "-5", "--execute");
        Assert.Equal(Enumerable.Range(0, Partitions).Select(p => $"{nativeGroup} {topic} {p} 10 15 5 -"), (await DescribeAsync(nativeGroup)).Rows.Select(Row));
        Log("reset-offsets moved both groups' offsets");

        using var resumed = new PolledGroupConsumer("resumed", GroupConfig(kafkaGroup), topic, _clock, output, commitsEnabled: false);
        await Eventually.TrueAsync(() => resumed.Records.Count >= Partitions * 12, Patience, $"a new member of the Kafka group reading from the reset offsets: {resumed}\n{cluster.Output()}");
        foreach (var p in Enumerable.Range(0, Partitions))
        {
            Assert.Equal(Enumerable.Range(3, 12).Select(o => (long)o), resumed.Records.Where(r => r.Partition == p).Select(r => r.Offset));
        }
    }

    private static string Row(string[] cells) => string.Join(' ', cells);

    private static IEnumerable<string> FirstColumn(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);

    /// <summary>The table's rows of <paramref name="group"/>, each split into its cells, in partition order.</summary>
    private static List<string[]> Rows(string table, string group) =>
        table.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells[0] == group)
            .OrderBy(cells => int.Parse(cells[2], CultureInfo.InvariantCulture))
            .ToList();

    /// <summary><c>groups describe</c>: the group's rows and its state line (stderr).</summary>
    private async Task<(List<string[]> Rows, string State)> DescribeAsync(string group)
    {
        var (stdout, stderr) = await RunOkAsync("groups", "describe", "--bootstrap-server", cluster.NativeBootstrap, "--group", group);
        Log($"groups describe --group {group}: {stderr.Trim()}\n{stdout}");
        return (Rows(stdout, group), stderr);
    }

    private async Task<(string Stdout, string Stderr)> RunOkAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(cluster.Directory, CommandTimeout, null, args);
        Assert.True(exit == 0, $"actorstream {string.Join(' ', args)} exited {exit}: {stderr}\n{stdout}");
        return (stdout, stderr);
    }

    private static async Task ProduceAsync(IProducer<Null, string> producer, string topic, int perPartition)
    {
        for (var p = 0; p < Partitions; p++)
        {
            for (var n = 0; n < perPartition; n++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, p), new Message<Null, string> { Value = $"{p}-{n}" });
            }
        }
    }
}
