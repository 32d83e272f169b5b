using System.Text;
using ActorStream.Kafka.Tests.Support;
using ActorStream.TestKit;
using Confluent.Kafka;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Confluent.Kafka 2.16 (librdkafka 2.16) unchanged, <c>Subscribe</c> in a consumer group over the classic protocol:
/// JoinGroup (MEMBER_ID_REQUIRED, then the protocol vote), the leader's client-side assignment through SyncGroup,
/// Heartbeat's REBALANCE_IN_PROGRESS when the second member joins, OffsetCommit, OffsetFetch on a new member, LeaveGroup
/// on close.
/// </summary>
[Collection(KafkaGroupNodeCollection.Name)]
public sealed class ConfluentSubscribeSpec(KafkaGroupNode node, ITestOutputHelper output)
{
    private const int Partitions = 6;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    // Flaky (1 of 3 fresh-clone runs): a second rebalance after the split reset one member's stored offsets, so its
    // Commit() failed with Local_NoOffset. ConfluentGroupRebalanceSpec covers the same split and commit-resume path.
    [Fact]
    public async Task Two_consumers_of_one_group_share_a_topic_read_every_record_and_a_new_member_continues_after_their_commits()
    {
        var topic = await node.CreateTopicAsync("subscribe", Partitions);
        var groupId = KafkaNode.UniqueTopic("group");
        using var producer = KafkaClients.Producer(node.KafkaBootstrap, output);

        using var first = new SubscribedConsumer(node, groupId, topic, output);
        using var second = new SubscribedConsumer(node, groupId, topic, output);
        await Eventually.TrueAsync(
            () => first.Assignment.Count > 0 && second.Assignment.Count > 0
                && !first.Assignment.Intersect(second.Assignment).Any()
                && first.Assignment.Union(second.Assignment).Count() == Partitions,
            Timeout,
            $"both members hold a disjoint share of the {Partitions} partitions (first: {string.Join(',', first.Assignment)}; second: {string.Join(',', second.Assignment)})");

        var records = await ProduceAsync(producer, topic, "round1", perPartition: 20);
        await Eventually.TrueAsync(() => first.Received.Count + second.Received.Count >= records.Count, Timeout,
            $"the members read {records.Count} records between them");
        Assert.Equal(records.Order(), first.Received.Concat(second.Received).Select(r => r.Value).Order());
        Assert.All(first.Received, r => Assert.Contains(r.Partition, first.Assignment));
        Assert.All(second.Received, r => Assert.Contains(r.Partition, second.Assignment));
        Assert.NotEmpty(first.Received);
        Assert.NotEmpty(second.Received);

        await Task.WhenAll(first.CommitAndCloseAsync(), second.CommitAndCloseAsync());

        var later = await ProduceAsync(producer, topic, "round2", perPartition: 5);
        using var third = new SubscribedConsumer(node, groupId, topic, output);
        await Eventually.TrueAsync(() => third.Received.Count >= later.Count, Timeout, $"the new member read the {later.Count} later records");
        // Records of a partition arrive in offset order: had the new member not started at the commits, the first
        // round's records would have come before the later ones.
        Assert.Equal(later.Order(), third.Received.Select(r => r.Value).Order());
        Assert.Equal(Partitions, third.Assignment.Count);
    }

    private static async Task<List<string>> ProduceAsync(IProducer<byte[], byte[]> producer, string topic, string round, int perPartition)
    {
        var values = new List<string>();
        for (var partition = 0; partition < Partitions; partition++)
        {
            for (var i = 0; i < perPartition; i++)
            {
                var value = $"{round}-{partition}-{i}";
                await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<byte[], byte[]> { Value = Encoding.UTF8.GetBytes(value) });
                values.Add(value);
            }
        }

        return values;
    }
}
