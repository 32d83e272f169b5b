using Confluent.Kafka;
using ActorStream.Kafka.Tests.Support;
using static ActorStream.Kafka.Tests.Groups.GroupConsumers;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Confluent.Kafka's <c>auto.offset.reset</c> in a group on one node: where a member starts on a partition that has no
/// committed offset (OffsetFetch answers -1) or whose committed offset is past the log's end (Fetch answers
/// OFFSET_OUT_OF_RANGE): <c>earliest</c> reads from the log start, <c>latest</c> only what arrives after it joined,
/// <c>error</c> hands the application librdkafka's <c>Local_AutoOffsetReset</c> and reads nothing.
/// </summary>
[Collection(KafkaGroupNodeCollection.Name)]
public sealed class ConfluentOffsetResetSpec(KafkaGroupNode node, ITestOutputHelper output)
{
    private const int Partitions = 3;

    [Fact]
    public async Task Earliest_must_read_every_record_already_in_the_topic()
    {
        var topic = await node.CreateTopicAsync("reset-earliest", Partitions);
        var produced = await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 5, "before", output);
        await using var consumer = GroupConsumer.Start("earliest", Config(node.KafkaBootstrap, UniqueGroup("earliest"), "earliest", c => c.AutoOffsetReset = AutoOffsetReset.Earliest), topic, output);

        await UntilAsync(() => consumer.Records.Count >= produced.Count, "the consumer reads the 15 records", () => Describe(consumer) + "\n" + node.Output());
        Assert.Equal(produced.Order(StringComparer.Ordinal), consumer.Records.Select(r => r.Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Latest_must_skip_what_was_in_the_topic_and_read_what_arrives_after_the_member_joined()
    {
        var topic = await node.CreateTopicAsync("reset-latest", Partitions);
        await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 5, "before", output);
        await using var consumer = GroupConsumer.Start("latest", Config(node.KafkaBootstrap, UniqueGroup("latest"), "latest", c => c.AutoOffsetReset = AutoOffsetReset.Latest), topic, output);
        await UntilAsync(() => consumer.AssignedPartitions.Count == Partitions, "the consumer is assigned the 3 partitions", () => Describe(consumer) + "\n" + node.Output());

        // Where "latest" is depends on when librdkafka asked for it (after the assignment): keep producing until records
        // arrive on every partition. Whatever it skipped of these, it never reads a record produced before it joined.
        using var producer = KafkaClients.Producer<string, string>(KafkaClients.ProducerConfig(node.KafkaBootstrap), output);
        var round = 0;
        await Eventually.TrueAsync(
            async () =>
            {
                round++;
                await Task.WhenAll(Enumerable.Range(0, Partitions).Select(p =>
                    producer.ProduceAsync(new TopicPartition(topic, p), new Message<string, string> { Key = "after", Value = $"after:{p}:{round}" })));
                return consumer.Records.Select(r => r.Partition).Distinct().Count() == Partitions;
            },
            Patience,
            "records produced after the join arrive on every partition");

        Assert.All(consumer.Records, r => Assert.StartsWith("after:", r.Value, StringComparison.Ordinal));
        Assert.All(consumer.Records, r => Assert.True(r.Offset >= 5, $"offset {r.Offset} of partition {r.Partition} was in the log before the member joined"));
        Assert.Empty(consumer.Errors);
    }

    [Fact]
    public async Task Error_must_hand_the_application_Local_AutoOffsetReset_for_each_partition_without_a_committed_offset_and_read_nothing()
    {
        var topic = await node.CreateTopicAsync("reset-error", Partitions);
        await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 5, "before", output);
        await using var consumer = GroupConsumer.Start("error", Config(node.KafkaBootstrap, UniqueGroup("error"), "error", c => c.AutoOffsetReset = AutoOffsetReset.Error), topic, output);

        await UntilAsync(
            () => ResetErrorPartitions(consumer).Count == Partitions,
            "Local_AutoOffsetReset for each of the 3 partitions",
            () => Describe(consumer) + "\n" + node.Output());
        Assert.Empty(consumer.Records);
        Assert.Equal(Partitions, consumer.AssignedPartitions.Count);
    }

    [Fact]
    public async Task Error_must_hand_the_application_the_out_of_range_error_for_a_committed_offset_past_the_end()
    {
        var topic = await node.CreateTopicAsync("reset-range", Partitions);
        await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 5, "before", output);
        var group = UniqueGroup("range-error");
        CommitPastTheEnd(topic, group);

        await using var consumer = GroupConsumer.Start("error", Config(node.KafkaBootstrap, group, "error", c => c.AutoOffsetReset = AutoOffsetReset.Error), topic, output);
        await UntilAsync(
            () => ResetErrorPartitions(consumer).Count == Partitions,
            "Local_AutoOffsetReset for each of the 3 partitions",
            () => Describe(consumer) + "\n" + node.Output());
        // librdkafka names the broker's error: it fetched at the committed offset 100 and got OFFSET_OUT_OF_RANGE.
        Assert.All(consumer.Errors, e => Assert.Contains("out of range", e.Error.Reason, StringComparison.OrdinalIgnoreCase));
        Assert.Empty(consumer.Records);
    }

    [Fact]
    public async Task Earliest_must_restart_from_the_log_start_when_the_committed_offset_is_past_the_end()
    {
        var topic = await node.CreateTopicAsync("reset-range-earliest", Partitions);
        var produced = await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 5, "before", output);
        var group = UniqueGroup("range-earliest");
        CommitPastTheEnd(topic, group);

        await using var consumer = GroupConsumer.Start("earliest", Config(node.KafkaBootstrap, group, "earliest", c => c.AutoOffsetReset = AutoOffsetReset.Earliest), topic, output);
        await UntilAsync(() => consumer.Records.Count >= produced.Count, "the consumer reads the 15 records", () => Describe(consumer) + "\n" + node.Output());
        Assert.Equal(produced.Order(StringComparer.Ordinal), consumer.Records.Select(r => r.Value).Order(StringComparer.Ordinal));
    }

    private static HashSet<int?> ResetErrorPartitions(GroupConsumer consumer) =>
        consumer.Errors.Where(e => e.Error.Code == ErrorCode.Local_AutoOffsetReset).Select(e => e.Partition).ToHashSet();

    /// <summary>
    /// A simple commit (no group membership: empty member id, generation -1, as Kafka allows for an Empty group) of
    /// offset 100 on every partition of a 5-record topic.
    /// </summary>
    private void CommitPastTheEnd(string topic, string group)
    {
        var config = KafkaClients.ConsumerConfig(node.KafkaBootstrap);
        config.GroupId = group;
        using var committer = KafkaClients.Consumer<string, string>(config, output);
        committer.Commit(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, 100)));
        var committed = committer.Committed(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)), KafkaClients.Timeout);
        Assert.All(committed, c => Assert.Equal(100, c.Offset.Value));
    }
}
