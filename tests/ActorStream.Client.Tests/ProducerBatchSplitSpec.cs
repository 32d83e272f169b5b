using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;
using ActorStream.Protocol;

namespace ActorStream.Client.Tests;

/// <summary>
/// A batch the broker refuses as too large (MESSAGE_TOO_LARGE) is split and retried, like Kafka's producer: only the
/// record too large on its own fails, the others are stored in order.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class ProducerBatchSplitSpec(BrokerFixture broker)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Only_the_record_too_large_for_the_topic_must_fail_and_the_others_must_be_stored_in_order(bool idempotent)
    {
        var topic = BrokerFixture.UniqueTopic("split");
        await using (var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap }))
        {
            await admin.CreateTopicsAsync(topic, 1, 1, new Dictionary<string, string> { ["max.message.bytes"] = "1000" });
        }

        // linger.ms keeps the five records in one batch of about 2.6 KB, which the topic refuses as a whole.
        await using var producer = new Producer<string, string>(new ProducerConfig
        {
            BootstrapServers = broker.Bootstrap,
            LingerMs = 2_000,
            EnableIdempotence = idempotent,
            Acks = idempotent ? Acks.All : Acks.Leader,
        });
        await producer.ConnectedTask.WaitAsync(Clients.Patience);
        string[] values = ["small-1", new string('x', 1_500), "small-2", new string('y', 600), "small-3"];
        var sends = values.Select(v => producer.ProduceAsync(topic, null, v)).ToList();
        await producer.FlushAsync().WaitAsync(Clients.Patience);

        var refused = await Assert.ThrowsAsync<ActorStreamException>(() => sends[1]);
        Assert.Equal(ErrorCode.MessageTooLarge, refused.ErrorCode);
        Assert.Equal(new TopicPartition(topic, 0), refused.TopicPartition);
        Assert.Equal([0L, 1, 2, 3], (await Task.WhenAll(sends.Where((_, i) => i != 1))).Select(m => m.Offset));

        // The producer goes on (with idempotence: the sequence numbers of the refused record were given back).
        Assert.Equal(4, (await producer.ProduceAsync(topic, null, "after").WaitAsync(Clients.Patience)).Offset);

        await using var consumer = new Consumer<string, string>(Clients.Consumer(broker.Bootstrap));
        consumer.Assign([new TopicPartition(topic, 0)]);
        var records = await Clients.ConsumeAsync(consumer, 5);
        Assert.Equal(["small-1", "small-2", values[3], "small-3", "after"], records.Select(r => r.Value));
    }
}
