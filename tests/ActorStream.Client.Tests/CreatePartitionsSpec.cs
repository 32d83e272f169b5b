using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;
using ActorStream.Protocol;

namespace ActorStream.Client.Tests;

/// <summary>Kafka's CreatePartitions (<c>topics alter --partitions</c>): a topic grows, never shrinks; subscribers get the new partitions.</summary>
[Collection(BrokerCollection.Name)]
public class CreatePartitionsSpec(BrokerFixture broker)
{
    [Fact]
    public async Task A_topic_must_grow_with_led_partitions_that_producers_and_group_members_use()
    {
        var topic = await broker.CreateTopicAsync("grow", 2);
        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap });
        await using var consumer = new Consumer<string, string>(Clients.Consumer(broker.Bootstrap) with { GroupId = "g-" + Guid.NewGuid().ToString("N")[..10], HeartbeatIntervalMs = 200 });
        consumer.Subscribe([topic]);
        using var cts = new CancellationTokenSource(Clients.Patience);
        while (consumer.Assignment.Count < 2)
        {
            await consumer.PollAsync(TimeSpan.FromMilliseconds(100), cts.Token);
        }

        await admin.CreatePartitionsAsync(new Dictionary<string, int> { [topic] = 4 });

        var described = (await admin.DescribeTopicsAsync([topic])).Single();
        Assert.Equal([0, 1, 2, 3], described.Partitions.Select(p => p.Partition));
        Assert.All(described.Partitions, p => Assert.True(p.Leader >= 0));
        await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap }))
        {
            Assert.Equal(0, (await producer.ProduceAsync(topic, "k", "in partition 3", partition: 3)).Offset);
        }

        // The group coordinator sees the partition count change and rebalances: the member ends up reading partition 3.
        var values = new List<string>();
        while (!values.Contains("in partition 3"))
        {
            values.AddRange((await consumer.PollAsync(TimeSpan.FromMilliseconds(100), cts.Token)).Select(r => r.Value!));
        }

        Assert.Equal(4, consumer.Assignment.Count);
    }

    [Fact]
    public async Task Shrinking_or_an_unknown_topic_must_fail_clearly()
    {
        var topic = await broker.CreateTopicAsync("noshrink", 3);
        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap });

        var shrink = await Assert.ThrowsAsync<ActorStreamException>(() => admin.CreatePartitionsAsync(new Dictionary<string, int> { [topic] = 2 }));
        Assert.Equal(ErrorCode.InvalidPartitions, shrink.ErrorCode);
        Assert.Contains("3 partitions", shrink.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<ActorStreamException>(() => admin.CreatePartitionsAsync(new Dictionary<string, int> { ["no-such-topic-" + Guid.NewGuid().ToString("N")[..8]] = 5 }));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknown.ErrorCode);
        Assert.Equal(3, (await admin.DescribeTopicsAsync([topic])).Single().Partitions.Count);
    }
}
