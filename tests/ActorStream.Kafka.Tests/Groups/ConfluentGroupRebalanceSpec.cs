using System.Diagnostics;
using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;
using static ActorStream.Kafka.Tests.Groups.GroupConsumers;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Confluent.Kafka 2.16 <c>Subscribe</c> consumers, unchanged, in one group on one node (classic protocol: JoinGroup,
/// SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch): two members split a 6-partition topic; a member that
/// closes leaves the group and the other takes its partitions from the offsets it committed; committed offsets are
/// kept across a consumer's restart.
/// </summary>
[Collection(KafkaGroupNodeCollection.Name)]
public sealed class ConfluentGroupRebalanceSpec(KafkaGroupNode node, ITestOutputHelper output)
{
    private const int Partitions = 6;

    [Fact]
    public async Task Two_consumers_in_one_group_must_split_a_6_partition_topic_and_each_read_only_its_own_partitions()
    {
        var topic = await node.CreateTopicAsync("split", Partitions);
        var group = UniqueGroup("split");
        var ownership = new PartitionOwnership();
        await using var a = GroupConsumer.Start("a", Config(node.KafkaBootstrap, group, "a"), topic, output, ownership);
        await using var b = GroupConsumer.Start("b", Config(node.KafkaBootstrap, group, "b"), topic, output, ownership);

        await UntilAsync(() => Split(Partitions, a, b), "a and b split the 6 partitions", () => Describe(a, b) + "\n" + node.Output());
        // range (librdkafka's default first assignor) over one topic: three partitions each.
        Assert.Equal(3, a.AssignedPartitions.Count);
        Assert.Equal(3, b.AssignedPartitions.Count);

        var produced = await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 10, "split", output);
        await UntilAsync(() => a.Records.Count + b.Records.Count >= produced.Count, "a and b read all 60 records", () => Describe(a, b));

        // Each record exactly once, by the member that holds its partition.
        Assert.Equal(ProducedTo(produced, a.AssignedPartitions), a.Records.Select(r => r.Value).Order(StringComparer.Ordinal));
        Assert.Equal(ProducedTo(produced, b.AssignedPartitions), b.Records.Select(r => r.Value).Order(StringComparer.Ordinal));
        Assert.NotEqual(a.MemberId, b.MemberId);
        Assert.Empty(ownership.Violations);
    }

    [Fact]
    public async Task A_consumer_that_closes_must_leave_and_the_other_must_take_its_partitions_from_its_committed_offsets()
    {
        var topic = await node.CreateTopicAsync("close", Partitions);
        var group = UniqueGroup("close");
        var ownership = new PartitionOwnership();
        await using var a = GroupConsumer.Start("a", Config(node.KafkaBootstrap, group, "a"), topic, output, ownership);
        await using var b = GroupConsumer.Start("b", Config(node.KafkaBootstrap, group, "b"), topic, output, ownership);
        await UntilAsync(() => Split(Partitions, a, b), "a and b split the 6 partitions", () => Describe(a, b) + "\n" + node.Output());
        var ofA = a.AssignedPartitions;
        var ofB = b.AssignedPartitions;

        var first = await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 10, "first", output);
        await UntilAsync(() => a.Records.Count + b.Records.Count >= first.Count, "a and b read the first 60 records", () => Describe(a, b));

        // Close: revoke (auto-commit commits what a consumed), then LeaveGroup: b need not wait for a's session timeout.
        var clock = Stopwatch.StartNew();
        await a.StopAsync();
        await UntilAsync(() => b.AssignedPartitions.Count == Partitions, "b holds all 6 partitions after a closed", () => Describe(a, b) + "\n" + node.Output());
        output.WriteLine($"b held all partitions {clock.Elapsed.TotalMilliseconds:F0} ms after a began to close");

        var second = await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 10, "second", output);
        await UntilAsync(() => b.Records.Count(r => r.Value.StartsWith("second:", StringComparison.Ordinal)) >= second.Count, "b reads the second 60 records", () => Describe(a, b));

        // From a's former partitions b read exactly the second round: a's commits on close were honoured (nothing of
        // the first round read again) and nothing was skipped.
        Assert.Equal(ProducedTo(second, ofA), ValuesFrom(b, ofA));
        Assert.Equal(ProducedTo(first, ofB).Concat(ProducedTo(second, ofB)).Order(StringComparer.Ordinal), ValuesFrom(b, ofB));
        Assert.Equal(ProducedTo(first, ofA), a.Records.Select(r => r.Value).Order(StringComparer.Ordinal));
        Assert.Empty(ownership.Violations);
    }

    [Fact]
    public async Task Committed_offsets_must_be_kept_across_a_consumer_restart()
    {
        var topic = await node.CreateTopicAsync("restart", Partitions);
        var group = UniqueGroup("restart");
        var first = await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 10, "first", output);

        // Auto-commit off: only the explicit Commit stores offsets.
        Action<ConsumerConfig> manual = c => c.EnableAutoCommit = false;
        await using (var a = GroupConsumer.Start("a", Config(node.KafkaBootstrap, group, "a", manual), topic, output))
        {
            await UntilAsync(() => a.Records.Count >= first.Count, "a reads the first 60 records", () => Describe(a) + "\n" + node.Output());
            var committed = await a.CommitAsync();
            Assert.Equal(Enumerable.Repeat(10L, Partitions), committed.OrderBy(c => c.Partition.Value).Select(c => c.Offset.Value));
            var fetched = await a.InvokeAsync(c => c.Committed(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)), KafkaClients.Timeout));
            Assert.Equal(Enumerable.Repeat(10L, Partitions), fetched.OrderBy(c => c.Partition.Value).Select(c => c.Offset.Value));
            await a.StopAsync();
        }

        var second = await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 5, "second", output);
        await using var restarted = GroupConsumer.Start("a-restarted", Config(node.KafkaBootstrap, group, "a-restarted", manual), topic, output);
        await UntilAsync(() => restarted.Records.Count >= second.Count, "the restarted consumer reads the 30 new records", () => Describe(restarted) + "\n" + node.Output());
        Assert.Equal(second.Order(StringComparer.Ordinal), restarted.Records.Select(r => r.Value).Order(StringComparer.Ordinal));
        Assert.All(restarted.Records, r => Assert.True(r.Offset >= 10, $"offset {r.Offset} of partition {r.Partition} was committed before the restart"));
    }
}
