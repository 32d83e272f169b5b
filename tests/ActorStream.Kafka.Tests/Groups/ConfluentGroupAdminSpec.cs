using ActorStream.Kafka.Tests.Support;
using ActorStream.TestKit;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Confluent.Kafka 2.16's AdminClient unchanged on a Kafka-protocol group: ListConsumerGroups (ListGroups, with state
/// and type filters), DescribeConsumerGroups (DescribeGroups: the member's host, client id and the assignment
/// librdkafka decodes from the stored ConsumerProtocolAssignment), ListConsumerGroupOffsets (OffsetFetch),
/// AlterConsumerGroupOffsets (a simple OffsetCommit to the Empty group), DeleteConsumerGroupOffsets (OffsetDelete) and
/// DeleteGroups, refused while the group has a member; and a native group, listed as type "consumer" and described
/// with the assignment encoded as ConsumerProtocolAssignment.
/// </summary>
[Collection(KafkaGroupNodeCollection.Name)]
public sealed class ConfluentGroupAdminSpec(KafkaGroupNode node, ITestOutputHelper output)
{
    private const int Partitions = 3;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Admin_lists_describes_reads_alters_and_deletes_a_consumer_group_and_its_offsets()
    {
        var topic = await node.CreateTopicAsync("group-admin", Partitions);
        var groupId = KafkaNode.UniqueTopic("admin-group");
        using var admin = KafkaClients.Admin(node.KafkaBootstrap, output);
        using (var producer = KafkaClients.Producer(node.KafkaBootstrap, output))
        {
            for (var partition = 0; partition < Partitions; partition++)
            {
                for (var i = 0; i < 4; i++)
                {
                    await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<byte[], byte[]> { Value = [(byte)i] });
                }
            }
        }

        using (var member = new SubscribedConsumer(node, groupId, topic, output))
        {
            await Eventually.TrueAsync(() => member.Received.Count == 4 * Partitions, Timeout, "the member read every record");
            await member.CommitAsync();

            var listed = await ListAsync(admin, null, null);
            var listing = Assert.Single(listed, g => g.GroupId == groupId);
            Assert.Equal(ConsumerGroupState.Stable, listing.State);
            Assert.False(listing.IsSimpleConsumerGroup);
            Assert.Equal(ConsumerGroupType.Classic, listing.Type);
            Assert.Contains(await ListAsync(admin, [ConsumerGroupState.Stable], null), g => g.GroupId == groupId);
            Assert.DoesNotContain(await ListAsync(admin, [ConsumerGroupState.Empty], null), g => g.GroupId == groupId);
            Assert.Contains(await ListAsync(admin, null, [ConsumerGroupType.Classic]), g => g.GroupId == groupId);
            Assert.DoesNotContain(await ListAsync(admin, null, [ConsumerGroupType.Consumer]), g => g.GroupId == groupId);

            var description = Assert.Single((await admin.DescribeConsumerGroupsAsync([groupId])).ConsumerGroupDescriptions);
            Assert.Equal(ConsumerGroupState.Stable, description.State);
            Assert.False(description.IsSimpleConsumerGroup);
            Assert.False(string.IsNullOrEmpty(description.PartitionAssignor));
            var described = Assert.Single(description.Members);
            Assert.Equal("actorstream-kafka-tests", described.ClientId);
            Assert.Equal("/127.0.0.1", described.Host);
            Assert.Equal(Enumerable.Range(0, Partitions), described.Assignment.TopicPartitions.Where(tp => tp.Topic == topic).Select(tp => tp.Partition.Value).Order());

            var offsets = await OffsetsAsync(admin, groupId, topic);
            Assert.Equal(Enumerable.Repeat(4L, Partitions), offsets.Values);

            var refused = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync([groupId]));
            Assert.Equal(ErrorCode.NonEmptyGroup, Assert.Single(refused.Results).Error.Code);
        }

        // The member left on close: the group is Empty, so an admin may set its offsets and delete them.
        await Eventually.TrueAsync(async () => (await ListAsync(admin, [ConsumerGroupState.Empty], null)).Any(g => g.GroupId == groupId), Timeout, "the group is Empty");
        await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(groupId, [new TopicPartitionOffset(topic, 1, 2)])]);
        var deleted = await admin.DeleteConsumerGroupOffsetsAsync(groupId, [new TopicPartition(topic, 2)]);
        Assert.Equal(groupId, deleted.Group);
        var after = await OffsetsAsync(admin, groupId, topic);
        Assert.Equal(4, after[0]);
        Assert.Equal(2, after[1]);
        Assert.Equal(Offset.Unset.Value, after[2]);

        await admin.DeleteGroupsAsync([groupId]);
        Assert.DoesNotContain(await ListAsync(admin, null, null), g => g.GroupId == groupId);
        var gone = Assert.Single((await admin.DescribeConsumerGroupsAsync([groupId])).ConsumerGroupDescriptions);
        Assert.Equal(ConsumerGroupState.Dead, gone.State);
    }

    [Fact]
    public async Task Admin_sees_a_native_group_as_a_consumer_type_group_with_its_assignment_in_consumer_protocol_bytes()
    {
        var topic = await node.CreateTopicAsync("native-admin", Partitions);
        var groupId = KafkaNode.UniqueTopic("native-group");
        using var admin = KafkaClients.Admin(node.KafkaBootstrap, output);
        await using var native = new ActorStream.Client.Consumer.Consumer<string, string>(new ActorStream.Client.Config.ConsumerConfig
        {
            BootstrapServers = node.NativeBootstrap,
            GroupId = groupId,
            EnableAutoCommit = false,
            HeartbeatIntervalMs = 200,
            SessionTimeoutMs = KafkaGroupNode.SessionTimeoutMs,
        });
        native.Subscribe([topic]);
        ConsumerGroupDescription? description = null;
        await Eventually.TrueAsync(
            async () =>
            {
                await native.PollAsync(TimeSpan.FromMilliseconds(200));
                description = (await admin.DescribeConsumerGroupsAsync([groupId])).ConsumerGroupDescriptions.Single();
                return description.State == ConsumerGroupState.Stable && description.Members.Count == 1
                    && description.Members[0].Assignment.TopicPartitions.Count == Partitions;
            },
            Timeout,
            "the native group is Stable with its member holding every partition");

        Assert.Equal(Enumerable.Range(0, Partitions), description!.Members[0].Assignment.TopicPartitions.Select(tp => tp.Partition.Value).Order());
        Assert.All(description.Members[0].Assignment.TopicPartitions, tp => Assert.Equal(topic, tp.Topic));
        var listing = Assert.Single(await ListAsync(admin, null, null), g => g.GroupId == groupId);
        Assert.Equal(ConsumerGroupType.Consumer, listing.Type);
        Assert.False(listing.IsSimpleConsumerGroup);
    }

    private static async Task<List<ConsumerGroupListing>> ListAsync(IAdminClient admin, ConsumerGroupState[]? states, ConsumerGroupType[]? types)
    {
        var options = new ListConsumerGroupsOptions();
        if (states is not null)
        {
            options.MatchStates = states;
        }

        if (types is not null)
        {
            options.MatchTypes = types;
        }

        var result = await admin.ListConsumerGroupsAsync(options);
        return result.Valid;
    }

    private static async Task<Dictionary<int, long>> OffsetsAsync(IAdminClient admin, string groupId, string topic)
    {
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)).ToList();
        var result = Assert.Single(await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(groupId, partitions)]));
        return result.Partitions.ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
    }
}
