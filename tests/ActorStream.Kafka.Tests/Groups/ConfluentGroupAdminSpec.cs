using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ActorStream.Kafka.Tests.Support;
using static ActorStream.Kafka.Tests.Groups.GroupConsumers;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Confluent.Kafka's AdminClient on Kafka-protocol groups (ListGroups, DescribeGroups, OffsetFetch, OffsetCommit,
/// OffsetDelete, DeleteGroups): a running group is listed and described as its members see it; an Empty group's
/// offsets are listed, altered and deleted; a group is deleted only once Empty.
/// </summary>
[Collection(GroupsNodeCollection.Name)]
public sealed class ConfluentGroupAdminSpec(GroupsNode node, ITestOutputHelper output)
{
    private const int Partitions = 4;

    private static readonly TimeSpan Timeout = KafkaClients.Timeout;

    [Fact]
    public async Task A_running_group_must_be_listed_and_described_as_its_members_see_it_and_refuse_deletion()
    {
        var topic = await node.CreateTopicAsync("admin-running", Partitions);
        var group = UniqueGroup("admin-running");
        await using var a = GroupConsumer.Start("a", Config(node.KafkaBootstrap, group, "admin-a"), topic, output);
        await using var b = GroupConsumer.Start("b", Config(node.KafkaBootstrap, group, "admin-b"), topic, output);
        await UntilAsync(() => Split(Partitions, a, b), "a and b split the 4 partitions", () => Describe(a, b) + "\n" + node.Output());
        using var admin = KafkaClients.Admin(node.KafkaBootstrap, output);

        var listing = await ListingAsync(admin, group);
        Assert.NotNull(listing);
        Assert.Equal(ConsumerGroupState.Stable, listing.State);
        Assert.False(listing.IsSimpleConsumerGroup);

        var description = await DescribeAsync(admin, group);
        Assert.Equal(ConsumerGroupState.Stable, description.State);
        Assert.Equal("range", description.PartitionAssignor);
        Assert.Equal(node.Process.NodeId, description.Coordinator.Id);
        Assert.Equal(
            new[] { ("admin-a", a.MemberId, a.AssignedPartitions), ("admin-b", b.MemberId, b.AssignedPartitions) }.Select(Line),
            description.Members.OrderBy(m => m.ClientId, StringComparer.Ordinal).Select(m => Line((m.ClientId, m.ConsumerId, m.Assignment.TopicPartitions.Where(p => p.Topic == topic).Select(p => p.Partition.Value).Order().ToList()))));
        Assert.All(description.Members, m => Assert.False(string.IsNullOrEmpty(m.Host), "a member's client host"));

        // Members subscribed to the topic: its offsets cannot be deleted (GROUP_SUBSCRIBED_TO_TOPIC), nor the group (NON_EMPTY_GROUP).
        var subscribed = await Assert.ThrowsAsync<DeleteConsumerGroupOffsetsException>(() =>
            admin.DeleteConsumerGroupOffsetsAsync(group, [new TopicPartition(topic, 0)], new DeleteConsumerGroupOffsetsOptions { RequestTimeout = Timeout }));
        Assert.Contains(ErrorCode.GroupSubscribedToTopic, subscribed.Result.Partitions.Select(p => p.Error.Code).Append(subscribed.Result.Error.Code));
        var nonEmpty = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync([group], new DeleteGroupsOptions { RequestTimeout = Timeout }));
        Assert.Equal(ErrorCode.NonEmptyGroup, nonEmpty.Results.Single().Error.Code);
        Assert.NotNull(await ListingAsync(admin, group));
    }

    [Fact]
    public async Task An_empty_groups_offsets_must_be_listed_altered_and_deleted_and_the_group_deleted()
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

        await admin.DeleteGroupsAsync([group], new DeleteGroupsOptions { RequestTimeout = Timeout });
        Assert.Null(await ListingAsync(admin, group));
        Assert.Equal([Offset.Unset.Value, Offset.Unset.Value, Offset.Unset.Value, Offset.Unset.Value], await CommittedAsync(admin, group, topic));
    }

    private static string Line((string ClientId, string MemberId, IReadOnlyList<int> Partitions) member) =>
        $"{member.ClientId} {member.MemberId} [{string.Join(',', member.Partitions)}]";

    private static async Task<ConsumerGroupListing?> ListingAsync(IAdminClient admin, string group) =>
        (await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { RequestTimeout = Timeout })).Valid.SingleOrDefault(g => g.GroupId == group);

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
