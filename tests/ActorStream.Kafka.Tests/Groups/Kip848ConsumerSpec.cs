using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Confluent.Kafka 2.16 with <c>group.protocol=consumer</c> (KIP-848: ConsumerGroupHeartbeat, server-side assignment)
/// against one node: the consumers are native members of the group coordinator.
/// </summary>
[Collection(Kip848NodeCollection.Name)]
public sealed class Kip848ConsumerSpec(Kip848Node node, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private ConsumerConfig Config(string groupId) => new()
    {
        BootstrapServers = node.KafkaBootstrap,
        ClientId = "kip848-spec",
        GroupId = groupId,
        GroupProtocol = GroupProtocol.Consumer,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SocketTimeoutMs = 30_000,
        ReconnectBackoffMaxMs = 1_000,
        BrokerAddressFamily = BrokerAddressFamily.V4,
        Debug = Environment.GetEnvironmentVariable("ACTORSTREAM_KAFKA_DEBUG"),
    };

    private IConsumer<string, string> Consumer(string groupId, Action<ConsumerConfig>? configure = null, Ownership? ownership = null)
    {
        var config = Config(groupId);
        configure?.Invoke(config);
        var builder = new ConsumerBuilder<string, string>(config);
        if (Environment.GetEnvironmentVariable("KIP848_LOG") is { } log)
        {
            // A librdkafka abort kills the test host and the test's output with it: a file keeps the log.
            builder.SetLogHandler((_, m) => File.AppendAllText(log, $"{DateTime.UtcNow:HH:mm:ss.fff} {m.Facility}: {m.Message}\n"))
                .SetErrorHandler((_, e) => File.AppendAllText(log, $"{DateTime.UtcNow:HH:mm:ss.fff} ERROR {e.Code}: {e.Reason}\n"));
        }
        else
        {
            builder.SetLogHandler((_, m) => KafkaClients.Log(output, m)).SetErrorHandler((_, e) => KafkaClients.Log(output, e));
        }

        if (ownership is not null)
        {
            builder.SetPartitionsAssignedHandler((c, partitions) => ownership.Assigned(c, partitions))
                .SetPartitionsRevokedHandler((c, partitions) => ownership.Revoked(c, partitions.Select(p => p.TopicPartition)))
                .SetPartitionsLostHandler((c, partitions) => ownership.Revoked(c, partitions.Select(p => p.TopicPartition)));
        }

        return builder.Build();
    }

    /// <summary>
    /// Who holds which partition, from the consumers' own rebalance callbacks (KIP-848 assignments are incremental):
    /// a partition assigned to one consumer while another still holds it is recorded as a violation.
    /// </summary>
    private sealed class Ownership
    {
        private readonly Dictionary<TopicPartition, string> _holders = [];

        public List<string> Violations { get; } = [];

        public void Assigned(IConsumer<string, string> consumer, IEnumerable<TopicPartition> partitions)
        {
            lock (_holders)
            {
                foreach (var partition in partitions)
                {
                    if (_holders.TryGetValue(partition, out var holder) && holder != consumer.Name)
                    {
                        Violations.Add($"{partition} assigned to {consumer.Name} while {holder} holds it");
                    }

                    _holders[partition] = consumer.Name;
                }
            }
        }

        public void Revoked(IConsumer<string, string> consumer, IEnumerable<TopicPartition> partitions)
        {
            lock (_holders)
            {
                foreach (var partition in partitions)
                {
                    if (_holders.TryGetValue(partition, out var holder) && holder == consumer.Name)
                    {
                        _holders.Remove(partition);
                    }
                }
            }
        }
    }

    private async Task<string> TopicWithRecordsAsync(string prefix, int partitions, int count)
    {
        var topic = await node.CreateTopicAsync(prefix, partitions);
        using var producer = KafkaClients.Producer<string, string>(KafkaClients.ProducerConfig(node.KafkaBootstrap), output);
        var deliveries = Enumerable.Range(0, count)
            .Select(i => producer.ProduceAsync(new TopicPartition(topic, i % partitions), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }));
        await Task.WhenAll(deliveries).WaitAsync(KafkaClients.Timeout);
        return topic;
    }

    private async Task ProduceAsync(string topic, int partitions, IEnumerable<int> values)
    {
        using var producer = KafkaClients.Producer<string, string>(KafkaClients.ProducerConfig(node.KafkaBootstrap), output);
        var deliveries = values.Select(i => producer.ProduceAsync(new TopicPartition(topic, i % partitions), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }));
        await Task.WhenAll(deliveries).WaitAsync(KafkaClients.Timeout);
    }

    /// <summary>
    /// Polls every consumer in turn (librdkafka reconciles assignments only while the application polls) until
    /// <paramref name="done"/> holds; each record read is added to its consumer's list. Fails after <see cref="Timeout"/>.
    /// </summary>
    private static void PollUntil(IReadOnlyList<IConsumer<string, string>> consumers, List<ConsumeResult<string, string>>[] read, Func<bool> done, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(clock.Elapsed < Timeout, $"Timed out waiting for {what}; assignments: {string.Join(" / ", consumers.Select(Describe))}");
            for (var i = 0; i < consumers.Count; i++)
            {
                if (consumers[i].Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
                {
                    read[i].Add(result);
                }
            }
        }
    }

    private static string Describe(IConsumer<string, string> consumer) =>
        string.Join(",", consumer.Assignment.OrderBy(tp => tp.Partition.Value).Select(tp => tp.Partition.Value));

    private static HashSet<int> Partitions(IConsumer<string, string> consumer) => consumer.Assignment.Select(tp => tp.Partition.Value).ToHashSet();

    /// <summary>Every partition 0..count-1 is held by exactly one of the consumers, and each holds at least one.</summary>
    private static bool SplitDisjointly(IReadOnlyList<IConsumer<string, string>> consumers, int count)
    {
        var held = consumers.Select(Partitions).ToList();
        return held.All(h => h.Count > 0)
            && held.Sum(h => h.Count) == count
            && held.SelectMany(h => h).ToHashSet().SetEquals(Enumerable.Range(0, count));
    }

    [Fact]
    public async Task One_consumer_subscribes_and_reads_every_record_of_every_partition()
    {
        var topic = await TopicWithRecordsAsync("kip848-one", 3, 30);
        using var consumer = Consumer("kip848-one-" + Guid.NewGuid().ToString("N"));
        consumer.Subscribe(topic);

        var values = new HashSet<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (values.Count < 30 && clock.Elapsed < Timeout)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } result)
            {
                Assert.True(values.Add(result.Message.Value), $"{result.Message.Value} read twice");
            }
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"v{i}").ToHashSet(), values);
        Assert.Equal(Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)), consumer.Assignment.OrderBy(tp => tp.Partition.Value));
        consumer.Close();
    }

    [Theory]
    [InlineData("uniform")]
    [InlineData("range")]
    public async Task Two_consumers_split_a_six_partition_topic_disjointly_and_together_read_every_record_once(string assignor)
    {
        var topic = await node.CreateTopicAsync("kip848-split", 6);
        var group = "kip848-split-" + Guid.NewGuid().ToString("N");
        var ownership = new Ownership();
        using var first = Consumer(group, c => c.GroupRemoteAssignor = assignor, ownership);
        using var second = Consumer(group, c => c.GroupRemoteAssignor = assignor, ownership);
        IConsumer<string, string>[] consumers = [first, second];
        List<ConsumeResult<string, string>>[] read = [[], []];
        first.Subscribe(topic);
        second.Subscribe(topic);
        PollUntil(consumers, read, () => SplitDisjointly(consumers, 6), "both consumers to hold partitions, none twice");

        await ProduceAsync(topic, 6, Enumerable.Range(0, 60));
        PollUntil(consumers, read, () => read.Sum(r => r.Count) >= 60, "60 records");

        Assert.True(SplitDisjointly(consumers, 6), $"assignments moved: {Describe(first)} / {Describe(second)}");
        Assert.Empty(ownership.Violations);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"v{i}").Order(), read.SelectMany(r => r).Select(r => r.Message.Value).Order());
        for (var i = 0; i < 2; i++)
        {
            var own = Partitions(consumers[i]);
            Assert.All(read[i], r => Assert.Contains(r.Partition.Value, own));
        }

        // The admin client describes the group with ConsumerGroupDescribe (API 69): a "consumer" group, as Kafka 4 shows it.
        using (var admin = KafkaClients.Admin(node.KafkaBootstrap, output))
        {
            var description = Assert.Single((await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions);
            Assert.Equal(ConsumerGroupType.Consumer, description.GroupType);
            Assert.Equal(ConsumerGroupState.Stable, description.State);
            Assert.Equal(assignor, description.PartitionAssignor);
            Assert.Equal(2, description.Members.Count);
            Assert.Equal(
                consumers.Select(c => Describe(c)).Order(),
                description.Members.Select(m => string.Join(",", m.Assignment.TopicPartitions.Select(tp => tp.Partition.Value).Order())).Order());
        }

        first.Close();
        second.Close();
    }

    [Fact]
    public async Task When_one_consumer_closes_the_other_takes_over_every_partition()
    {
        var topic = await node.CreateTopicAsync("kip848-takeover", 6);
        var group = "kip848-takeover-" + Guid.NewGuid().ToString("N");
        var ownership = new Ownership();
        using var stays = Consumer(group, ownership: ownership);
        var leaves = Consumer(group, ownership: ownership);
        IConsumer<string, string>[] both = [stays, leaves];
        List<ConsumeResult<string, string>>[] read = [[], []];
        stays.Subscribe(topic);
        leaves.Subscribe(topic);
        PollUntil(both, read, () => SplitDisjointly(both, 6), "both consumers to hold partitions");

        // Close sends the leave heartbeat (epoch -1): the partitions move at once, not after the session timeout.
        leaves.Close();
        leaves.Dispose();
        List<ConsumeResult<string, string>>[] after = [[]];
        PollUntil([stays], after, () => Partitions(stays).SetEquals(Enumerable.Range(0, 6)), "the remaining consumer to hold all 6 partitions");

        await ProduceAsync(topic, 6, Enumerable.Range(0, 30));
        PollUntil([stays], after, () => after[0].Count >= 30, "30 records");
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"v{i}").Order(), after[0].Select(r => r.Message.Value).Order());
        Assert.Empty(ownership.Violations);
        stays.Close();
    }

    [Fact]
    public async Task Committed_offsets_survive_a_consumer_restart()
    {
        var topic = await TopicWithRecordsAsync("kip848-commit", 2, 20);
        var group = "kip848-commit-" + Guid.NewGuid().ToString("N");
        List<ConsumeResult<string, string>>[] read = [[]];
        using (var consumer = Consumer(group))
        {
            consumer.Subscribe(topic);
            PollUntil([consumer], read, () => read[0].Count >= 20, "the first 20 records");
            consumer.Commit();
            consumer.Close();
        }

        await ProduceAsync(topic, 2, Enumerable.Range(20, 10));
        using var restarted = Consumer(group);
        restarted.Subscribe(topic);
        List<ConsumeResult<string, string>>[] again = [[]];
        PollUntil([restarted], again, () => again[0].Count >= 10, "the 10 records after the commit");

        Assert.Equal(Enumerable.Range(20, 10).Select(i => $"v{i}").Order(), again[0].Select(r => r.Message.Value).Order());
        var committed = restarted.Committed(TimeSpan.FromSeconds(30));
        Assert.Equal([10L, 10L], committed.OrderBy(c => c.Partition.Value).Select(c => c.Offset.Value));
        restarted.Close();
    }

    [Fact]
    public async Task A_static_member_that_restarts_gets_its_partitions_back_without_a_rebalance()
    {
        var topic = await node.CreateTopicAsync("kip848-static", 6);
        var group = "kip848-static-" + Guid.NewGuid().ToString("N");
        var ownership = new Ownership();
        using var stays = Consumer(group, c => c.GroupInstanceId = "stays", ownership);
        var restarts = Consumer(group, c => c.GroupInstanceId = "restarts", ownership);
        IConsumer<string, string>[] both = [stays, restarts];
        List<ConsumeResult<string, string>>[] read = [[], []];
        stays.Subscribe(topic);
        restarts.Subscribe(topic);
        PollUntil(both, read, () => SplitDisjointly(both, 6), "both static members to hold partitions");
        var before = Partitions(restarts);
        var epoch = await GroupEpochAsync(group);

        // Close leaves with epoch -2: the member stays in the group (its partitions assigned to nobody else) until its
        // session times out; the same group.instance.id rejoining takes its place.
        restarts.Close();
        restarts.Dispose();
        using var restarted = Consumer(group, c => c.GroupInstanceId = "restarts");
        restarted.Subscribe(topic);
        IConsumer<string, string>[] again = [stays, restarted];
        PollUntil(again, read, () => Partitions(restarted).SetEquals(before), "the restarted static member to get its partitions back");

        Assert.True(SplitDisjointly(again, 6), $"{Describe(stays)} / {Describe(restarted)}");
        Assert.Equal(epoch, await GroupEpochAsync(group));
        Assert.Empty(ownership.Violations);
        restarted.Close();
        stays.Close();
    }

    /// <summary>The group's epoch (generation) from ConsumerGroupDescribe; Confluent's description does not carry it.</summary>
    private async Task<int> GroupEpochAsync(string group)
    {
        await using var wire = await KafkaWireConnection.ConnectAsync(node.KafkaPort);
        var response = await wire.SendAsync<ActorStream.Kafka.Messages.ConsumerGroupDescribeRequest, ActorStream.Kafka.Messages.ConsumerGroupDescribeResponse>(
            new ActorStream.Kafka.Messages.ConsumerGroupDescribeRequest { GroupIds = [group] }, 0);
        var described = Assert.Single(response.Groups);
        Assert.Equal(0, described.ErrorCode);
        return described.GroupEpoch;
    }
}
