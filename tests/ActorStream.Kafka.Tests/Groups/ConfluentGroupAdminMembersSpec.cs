using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ActorStream.Kafka.Tests.Support;
using static ActorStream.Kafka.Tests.Groups.GroupConsumers;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Confluent.Kafka's AdminClient beside the group's own members (ConfluentGroupAdminSpec covers each admin call on a
/// one-member group): a two-member group is described as its members see it (member ids, client ids, hosts, each
/// member's assignment, the assignor, the coordinator), a subscribed topic's offsets cannot be deleted
/// (GROUP_SUBSCRIBED_TO_TOPIC), and a member joining an Empty group starts where the admin altered and deleted the
/// offsets.
/// </summary>
[Collection(KafkaGroupNodeCollection.Name)]
public sealed class ConfluentGroupAdminMembersSpec(KafkaGroupNode node, ITestOutputHelper output)
{
    private const int Partitions = 4;

    private static readonly TimeSpan Timeout = KafkaClients.Timeout;

    [Fact]
    public async Task A_running_group_must_be_described_as_its_members_see_it_and_keep_its_subscribed_offsets()
    {
        var topic = await node.CreateTopicAsync("admin-running", Partitions);
        var group = UniqueGroup("admin-running");
        await using var a = GroupConsumer.Start("a", Config(node.KafkaBootstrap, group, "admin-a"), topic, output);
        await using var b = GroupConsumer.Start("b", Config(node.KafkaBootstrap, group, "admin-b"), topic, output);
        await UntilAsync(() => Split(Partitions, a, b), "a and b split the 4 partitions", () => Describe(a, b) + "\n" + node.Output());
        using var admin = KafkaClients.Admin(node.KafkaBootstrap, output);

        var description = await DescribeAsync(admin, group);
        Assert.Equal(ConsumerGroupState.Stable, description.State);
        Assert.Equal("range", description.PartitionAssignor);
        Assert.Equal(node.Process.NodeId, description.Coordinator.Id);
        Assert.Equal(
            new[] { ("admin-a", a.MemberId, a.AssignedPartitions), ("admin-b", b.MemberId, b.AssignedPartitions) }.Select(Line),
            description.Members.OrderBy(m => m.ClientId, StringComparer.Ordinal).Select(m => Line((m.ClientId, m.ConsumerId, m.Assignment.TopicPartitions.Where(p => p.Topic == topic).Select(p => p.Partition.Value).Order().ToList()))));
        Assert.All(description.Members, m => Assert.False(string.IsNullOrEmpty(m.Host), "a member's client host"));

        // The members are subscribed to the topic: its offsets cannot be deleted (GROUP_SUBSCRIBED_TO_TOPIC) and stay.
        var produced = await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 1, "admin", output);
        await UntilAsync(() => a.Records.Count + b.Records.Count >= produced.Count, "a and b read the 4 records", () => Describe(a, b));
        await a.CommitAsync();
        await b.CommitAsync();
        Assert.Equal([1L, 1, 1, 1], await CommittedAsync(admin, group, topic));
        var subscribed = await Assert.ThrowsAsync<DeleteConsumerGroupOffsetsException>(() =>
            admin.DeleteConsumerGroupOffsetsAsync(group, [new TopicPartition(topic, a.AssignedPartitions[0])], new DeleteConsumerGroupOffsetsOptions { RequestTimeout = Timeout }));
        Assert.Contains(ErrorCode.GroupSubscribedToTopic, subscribed.Result.Partitions.Select(p => p.Error.Code).Append(subscribed.Result.Error.Code));
        Assert.Equal([1L, 1, 1, 1], await CommittedAsync(admin, group, topic));
    }

    [Fact]
    public async Task A_member_joining_an_empty_group_must_start_where_the_admin_altered_and_deleted_the_offsets()
    {
        var topic = await node.CreateTopicAsync("admin-offsets", Partitions);
        var group = UniqueGroup("admin-offsets");
        var produced = await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 8, "admin", output);
        await using (var consumer = GroupConsumer.Start("reader", Config(node.KafkaBootstrap, group, "reader", c => c.EnableAutoCommit = false), topic, output))
        {
            await UntilAsync(() => consumer.Records.Count >= produced.Count, "the consumer reads the 32 records", () => Describe(consumer) + "\n" + node.Output());
            await consumer.CommitAsync();
            await consumer.StopAsync();
        }

        using var admin = KafkaClients.Admin(node.KafkaBootstrap, output);
        Assert.Equal(ConsumerGroupState.Empty, (await DescribeAsync(admin, group)).State);
        Assert.Equal([8L, 8, 8, 8], await CommittedAsync(admin, group, topic));

        await admin.AlterConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitionOffsets(group, [new TopicPartitionOffset(topic, 0, 3), new TopicPartitionOffset(topic, 2, 5)])],
            new AlterConsumerGroupOffsetsOptions { RequestTimeout = Timeout });
        Assert.Equal([3L, 8, 5, 8], await CommittedAsync(admin, group, topic));

        await admin.DeleteConsumerGroupOffsetsAsync(group, [new TopicPartition(topic, 1)], new DeleteConsumerGroupOffsetsOptions { RequestTimeout = Timeout });
        Assert.Equal([3L, Offset.Unset.Value, 5, 8], await CommittedAsync(admin, group, topic));

        // A member joining now starts where the offsets say: 5 records of p0, 3 of p2, all 8 of p1 (none committed:
        // earliest), none of p3.
        await using (var consumer = GroupConsumer.Start("resumer", Config(node.KafkaBootstrap, group, "resumer", c => c.EnableAutoCommit = false), topic, output))
        {
            await UntilAsync(() => consumer.Records.Count >= 16, "the consumer reads 16 records", () => Describe(consumer) + "\n" + node.Output());
            Assert.Equal(
                [(0, 3L), (1, 0L), (2, 5L)],
                consumer.Records.GroupBy(r => r.Partition).Select(g => (g.Key, g.Min(r => r.Offset))).Order());
            Assert.Equal(16, consumer.Records.Count);
            await consumer.StopAsync();
        }
    }

    private static string Line((string ClientId, string MemberId, IReadOnlyList<int> Partitions) member) =>
        $"{member.ClientId} {member.MemberId} [{string.Join(',', member.Partitions)}]";

    private static async Task<ConsumerGroupDescription> DescribeAsync(IAdminClient admin, string group) =>
        (await admin.DescribeConsumerGroupsAsync([group], new DescribeConsumerGroupsOptions { RequestTimeout = Timeout })).ConsumerGroupDescriptions.Single();

    /// <summary>The group's committed offset of each partition of <paramref name="topic"/> (-1001, <c>Offset.Unset</c>, for none).</summary>
    private static async Task<List<long>> CommittedAsync(IAdminClient admin, string group, string topic)
    {
        var result = await admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(group, Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)).ToList())],
            new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout });
        var partitions = result.Single().Partitions;
        Assert.All(partitions, p => Assert.False(p.Error.IsError, $"{p.TopicPartition}: {p.Error}"));
        return partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value).ToList();
    }
}
