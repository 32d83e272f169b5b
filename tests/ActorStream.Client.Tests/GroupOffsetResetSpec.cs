using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;
using ActorStream.Protocol;
using ActorStream.TestKit;

namespace ActorStream.Client.Tests;

/// <summary>
/// Resetting a consumer group's offsets (kafka-consumer-groups --reset-offsets): every strategy planned against real
/// produced data, clamping to the log, the refusal for a group with members, and a consumer resuming at the reset offset.
/// </summary>
[Collection(NoAutoCreateBrokerCollection.Name)]
public class GroupOffsetResetSpec(NoAutoCreateBrokerFixture broker)
{
    private static string UniqueGroup() => "reset-" + Guid.NewGuid().ToString("N")[..12];

    private AdminClient Admin() => new(new AdminConfig { BootstrapServers = broker.Bootstrap });

    /// <summary>Produces one by one so offsets follow send order; returns each record's offset and timestamp.</summary>
    private async Task<List<RecordMetadata>> ProduceAsync(string topic, int partition, IEnumerable<long> timestamps)
    {
        await using var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap });
        var written = new List<RecordMetadata>();
        foreach (var timestamp in timestamps)
        {
            written.Add(await producer.ProduceAsync(topic, null, $"v{written.Count}", partition, timestamp));
        }

        return written;
    }

    [Fact]
    public async Task Every_strategy_must_plan_offsets_clamped_to_the_log_and_planning_must_change_nothing()
    {
        var topic = await broker.CreateTopicAsync("reset-plan", 2);
        var tp0 = new TopicPartition(topic, 0);
        var tp1 = new TopicPartition(topic, 1);
        // Timestamps an hour back (inside retention), one second apart: 10 records on partition 0, 4 on partition 1.
        var baseTime = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        var p0 = await ProduceAsync(topic, 0, Enumerable.Range(1, 10).Select(i => baseTime + (i * 1000L)));
        var p1 = await ProduceAsync(topic, 1, Enumerable.Range(1, 4).Select(i => baseTime + (i * 1000L)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), p0.Select(m => m.Offset));
        Assert.Equal(Enumerable.Range(0, 4).Select(i => (long)i), p1.Select(m => m.Offset));

        await using var admin = Admin();
        var group = UniqueGroup();
        // An unknown group is inactive: setting offsets creates it.
        await admin.AlterConsumerGroupOffsetsAsync(group, new Dictionary<TopicPartition, long> { [tp0] = 5, [tp1] = 1 });
        Assert.Contains(await admin.ListGroupsAsync(), g => g.GroupId == group);
        var before = await admin.ListConsumerGroupOffsetsAsync(group);
        Assert.Equal(new Dictionary<TopicPartition, long> { [tp0] = 5, [tp1] = 1 }, before);

        var planner = new OffsetResetPlanner(admin);
        var all = new[] { new TopicPartitionSelection(topic) };
        async Task<(long P0, long P1)> Plan(OffsetResetSpec spec)
        {
            var plan = await planner.PlanAsync(group, all, spec);
            Assert.Equal([tp0, tp1], plan.Keys.Order(Comparer<TopicPartition>.Create((a, b) => a.Partition.CompareTo(b.Partition))));
            return (plan[tp0], plan[tp1]);
        }

        Assert.Equal((0L, 0L), await Plan(OffsetResetSpec.ToEarliest()));
        Assert.Equal((10L, 4L), await Plan(OffsetResetSpec.ToLatest()));
        Assert.Equal((3L, 3L), await Plan(OffsetResetSpec.ToOffset(3)));
        Assert.Equal((7L, 4L), await Plan(OffsetResetSpec.ToOffset(7)));     // partition 1 ends at 4
        Assert.Equal((10L, 4L), await Plan(OffsetResetSpec.ToOffset(1_000)));
        Assert.Equal((0L, 0L), await Plan(OffsetResetSpec.ToOffset(-5)));

        // The first record at or after the time; 4.5 s is past partition 1's last record, so its log end offset.
        Assert.Equal((2L, 2L), await Plan(OffsetResetSpec.ToDateTime(DateTimeOffset.FromUnixTimeMilliseconds(baseTime + 2500))));
        Assert.Equal((4L, 4L), await Plan(OffsetResetSpec.ToDateTime(DateTimeOffset.FromUnixTimeMilliseconds(baseTime + 4500))));
        Assert.Equal((0L, 0L), await Plan(OffsetResetSpec.ToDateTime(DateTimeOffset.FromUnixTimeMilliseconds(baseTime))));
        Assert.Equal((10L, 4L), await Plan(OffsetResetSpec.ToDateTime(DateTimeOffset.UtcNow.AddHours(1))));

        Assert.Equal((3L, 0L), await Plan(OffsetResetSpec.ShiftBy(-2)));     // partition 1: 1 − 2 clamps to the log start
        Assert.Equal((8L, 4L), await Plan(OffsetResetSpec.ShiftBy(3)));
        Assert.Equal((10L, 4L), await Plan(OffsetResetSpec.ShiftBy(long.MaxValue)));

        var one = await planner.PlanAsync(group, [TopicPartitionSelection.Parse($"{topic}:1")], OffsetResetSpec.ToLatest());
        Assert.Equal(new Dictionary<TopicPartition, long> { [tp1] = 4 }, one);

        Assert.Equal(before, await admin.ListConsumerGroupOffsetsAsync(group));

        await admin.AlterConsumerGroupOffsetsAsync(group, await planner.PlanAsync(group, all, OffsetResetSpec.ShiftBy(-2)));
        Assert.Equal(new Dictionary<TopicPartition, long> { [tp0] = 3, [tp1] = 0 }, await admin.ListConsumerGroupOffsetsAsync(group));
        var described = await admin.DescribeGroupAsync(group);
        Assert.Equal([(3L, 7L), (0L, 4L)], described.Offsets.Select(o => (o.CommittedOffset!.Value, o.Lag!.Value)));
    }

    [Fact]
    public async Task Shift_by_without_a_committed_offset_and_unknown_partitions_must_be_refused()
    {
        var topic = await broker.CreateTopicAsync("reset-refuse", 2);
        await ProduceAsync(topic, 0, [DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()]);
        await using var admin = Admin();
        var group = UniqueGroup();
        await admin.AlterConsumerGroupOffsetsAsync(group, new Dictionary<TopicPartition, long> { [new TopicPartition(topic, 0)] = 1 });
        var planner = new OffsetResetPlanner(admin);

        // Like Kafka's tool: partition 1 has no committed offset, so there is nothing to shift.
        var noOffset = await Assert.ThrowsAsync<InvalidOperationException>(() => planner.PlanAsync(group, [new TopicPartitionSelection(topic)], OffsetResetSpec.ShiftBy(1)));
        Assert.Contains($"{topic}-1", noOffset.Message, StringComparison.Ordinal);
        Assert.Contains(group, noOffset.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await planner.PlanAsync(group, [TopicPartitionSelection.Parse($"{topic}:0")], OffsetResetSpec.ShiftBy(-1)))[new TopicPartition(topic, 0)]);

        var unknownPartition = await Assert.ThrowsAsync<ActorStreamException>(() => planner.PlanAsync(group, [TopicPartitionSelection.Parse($"{topic}:0,5")], OffsetResetSpec.ToEarliest()));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknownPartition.ErrorCode);
        Assert.Equal(new TopicPartition(topic, 5), unknownPartition.TopicPartition);

        var unknownTopic = await Assert.ThrowsAsync<ActorStreamException>(() => planner.PlanAsync(group, [new TopicPartitionSelection(topic + "-missing")], OffsetResetSpec.ToEarliest()));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknownTopic.ErrorCode);

        var negative = await Assert.ThrowsAsync<ActorStreamException>(() => admin.AlterConsumerGroupOffsetsAsync(group, new Dictionary<TopicPartition, long> { [new TopicPartition(topic, 0)] = -1 }));
        Assert.Equal(ErrorCode.OffsetOutOfRange, negative.ErrorCode);
        Assert.Equal(new Dictionary<TopicPartition, long> { [new TopicPartition(topic, 0)] = 1 }, await admin.ListConsumerGroupOffsetsAsync(group));
    }

    [Fact]
    public async Task A_group_with_a_live_member_must_be_refused_and_a_consumer_joining_after_a_reset_must_start_at_the_new_offset()
    {
        var topic = await broker.CreateTopicAsync("reset-live", 1);
        var tp = new TopicPartition(topic, 0);
        await ProduceAsync(topic, 0, Enumerable.Range(0, 10).Select(_ => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        var group = UniqueGroup();
        var config = Clients.Consumer(broker.Bootstrap) with { GroupId = group, EnableAutoCommit = false, HeartbeatIntervalMs = 200, SessionTimeoutMs = 10_000 };
        await using var admin = Admin();

        var live = new Consumer<string, string>(config);
        live.Subscribe([topic]);
        Assert.Equal(10, (await Clients.ConsumeAsync(live, 10)).Count);
        live.Commit(new Dictionary<TopicPartition, long> { [tp] = 10 });

        var refused = await Assert.ThrowsAsync<ActorStreamException>(() => admin.AlterConsumerGroupOffsetsAsync(group, new Dictionary<TopicPartition, long> { [tp] = 4 }));
        Assert.Equal(ErrorCode.NonEmptyGroup, refused.ErrorCode);
        Assert.Contains($"'{group}'", refused.Message, StringComparison.Ordinal);
        Assert.Equal(10, (await admin.ListConsumerGroupOffsetsAsync(group))[tp]);

        await live.DisposeAsync();
        await Eventually.TrueAsync(async () => (await admin.DescribeGroupAsync(group)).State == "Empty", Clients.Patience, "the group is empty once its only member left");
        await admin.AlterConsumerGroupOffsetsAsync(group, await new OffsetResetPlanner(admin).PlanAsync(group, [new TopicPartitionSelection(topic)], OffsetResetSpec.ToOffset(4)));

        // auto.offset.reset=latest: starting anywhere but the committed offset would read nothing or the wrong records.
        await using var next = new Consumer<string, string>(config with { AutoOffsetReset = AutoOffsetReset.Latest });
        next.Subscribe([topic]);
        var resumed = await Clients.ConsumeAsync(next, 6);
        Assert.Equal(Enumerable.Range(4, 6).Select(i => (long)i), resumed.Select(r => r.Offset));
    }

    [Theory]
    [InlineData(OffsetResetStrategy.ToEarliest, 0, null, null, 5)]
    [InlineData(OffsetResetStrategy.ToLatest, 0, null, null, 9)]
    [InlineData(OffsetResetStrategy.ToOffset, 2, null, null, 5)]
    [InlineData(OffsetResetStrategy.ToOffset, 7, null, null, 7)]
    [InlineData(OffsetResetStrategy.ToOffset, 12, null, null, 9)]
    [InlineData(OffsetResetStrategy.ToDateTime, 1, null, -1L, 9)]
    [InlineData(OffsetResetStrategy.ToDateTime, 1, null, 6L, 6)]
    [InlineData(OffsetResetStrategy.ShiftBy, -4, 7L, null, 5)]
    [InlineData(OffsetResetStrategy.ShiftBy, 1, 7L, null, 8)]
    [InlineData(OffsetResetStrategy.ShiftBy, 5, 7L, null, 9)]
    public void Targets_must_stay_within_a_log_whose_start_has_moved(OffsetResetStrategy strategy, long value, long? committed, long? offsetForTime, long expected)
    {
        // Log start 5 (older records deleted), log end 9: not reachable with freshly produced data.
        var spec = strategy switch
        {
            OffsetResetStrategy.ToEarliest => OffsetResetSpec.ToEarliest(),
            OffsetResetStrategy.ToLatest => OffsetResetSpec.ToLatest(),
            OffsetResetStrategy.ToOffset => OffsetResetSpec.ToOffset(value),
            OffsetResetStrategy.ToDateTime => OffsetResetSpec.ToDateTime(DateTimeOffset.FromUnixTimeMilliseconds(value)),
            _ => OffsetResetSpec.ShiftBy(value),
        };
        Assert.Equal(expected, OffsetResetPlanner.Target(spec, logStart: 5, logEnd: 9, committed, offsetForTime));
    }

    [Theory]
    [InlineData("orders", "orders", null)]
    [InlineData("orders:2,0", "orders", new[] { 0, 2 })]
    [InlineData(" orders : 1 ", "orders", new[] { 1 })]
    public void Topic_selections_must_parse_like_kafka(string text, string topic, int[]? partitions)
    {
        var selection = TopicPartitionSelection.Parse(text);
        Assert.Equal(topic, selection.Topic);
        Assert.Equal(partitions, selection.Partitions);
    }

    [Theory]
    [InlineData("orders:")]
    [InlineData("orders:x")]
    [InlineData(":1")]
    public void Malformed_topic_selections_must_be_rejected(string text) =>
        Assert.Throws<FormatException>(() => TopicPartitionSelection.Parse(text));
}
