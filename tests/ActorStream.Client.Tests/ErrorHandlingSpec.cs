using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;
using ActorStream.Protocol;

namespace ActorStream.Client.Tests;

[Collection(BrokerCollection.Name)]
public class ErrorHandlingSpec(BrokerFixture broker)
{
    [Fact]
    public async Task An_oversized_record_must_fail_with_MessageTooLarge_and_the_producer_keep_working()
    {
        var topic = await broker.CreateTopicAsync("big", 1);
        var huge = new byte[1_200_000];

        // Refused by the producer itself (max.request.size, like Kafka's RecordTooLargeException).
        await using var producer = new Producer<string, byte[]>(new ProducerConfig { BootstrapServers = broker.Bootstrap });
        var local = await Assert.ThrowsAsync<ActorStreamException>(() => producer.ProduceAsync(topic, "k", huge));
        Assert.Equal(ErrorCode.MessageTooLarge, local.ErrorCode);
        var after = await producer.ProduceAsync(topic, "k", [1]);
        Assert.Equal(0, after.Offset);

        // Refused by the broker (max.message.bytes 1048588) when the producer lets it through: the idempotent
        // sequence of the failed batch is given back, so the next records are accepted.
        await using var permissive = new Producer<string, byte[]>(new ProducerConfig { BootstrapServers = broker.Bootstrap, MaxRequestSize = 3_000_000 });
        var remote = await Assert.ThrowsAsync<ActorStreamException>(() => permissive.ProduceAsync(topic, "k", huge));
        Assert.Equal(ErrorCode.MessageTooLarge, remote.ErrorCode);
        Assert.Equal(new TopicPartition(topic, 0), remote.TopicPartition);
        var next = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => permissive.ProduceAsync(topic, "k", [(byte)i]))).WaitAsync(Clients.Patience);
        Assert.Equal([1L, 2, 3, 4, 5], next.Select(m => m.Offset).Order());
    }

    [Fact]
    public async Task Offset_out_of_range_must_follow_auto_offset_reset()
    {
        var topic = await broker.CreateTopicAsync("oor", 1);
        var tp = new TopicPartition(topic, 0);
        await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap }))
        {
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => producer.ProduceAsync(topic, null, $"v{i}")));
        }

        await using (var earliest = new Consumer<string, string>(Clients.Consumer(broker.Bootstrap, AutoOffsetReset.Earliest)))
        {
            earliest.Assign([tp]);
            earliest.Seek(tp, 1000);
            var records = await Clients.ConsumeAsync(earliest, 10);
            Assert.Equal(0, records[0].Offset);
            Assert.Equal(10, earliest.Position(tp));
        }

        await using (var latest = new Consumer<string, string>(Clients.Consumer(broker.Bootstrap, AutoOffsetReset.Latest)))
        {
            latest.Assign([tp]);
            latest.Seek(tp, 1000);
            using var cts = new CancellationTokenSource(Clients.Patience);
            while (await latest.PositionAsync(tp) != 10)
            {
                Assert.Empty(await latest.PollAsync(TimeSpan.FromMilliseconds(200), cts.Token));
            }

            Assert.Equal(10, latest.Position(tp));
        }

        await using var none = new Consumer<string, string>(Clients.Consumer(broker.Bootstrap, AutoOffsetReset.None));
        none.Assign([tp]);
        var unpositioned = await Assert.ThrowsAsync<ActorStreamException>(() => none.PollAsync(TimeSpan.FromSeconds(1)));
        Assert.Contains(tp.ToString(), unpositioned.Message, StringComparison.Ordinal);
        none.Seek(tp, 1000);
        var error = await Assert.ThrowsAsync<ActorStreamException>(async () =>
        {
            using var cts = new CancellationTokenSource(Clients.Patience);
            while (true)
            {
                await none.PollAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
        });
        Assert.Equal(ErrorCode.OffsetOutOfRange, error.ErrorCode);
        Assert.Equal(tp, error.TopicPartition);
        Assert.Contains("1000", error.Message, StringComparison.Ordinal);
        none.Seek(tp, 3);
        var fromThree = await Clients.ConsumeAsync(none, 7);
        Assert.Equal(3, fromThree[0].Offset);
    }

    [Fact]
    public async Task SeekToBeginning_and_SeekToEnd_must_move_the_position()
    {
        var topic = await broker.CreateTopicAsync("seek", 1);
        var tp = new TopicPartition(topic, 0);
        await using var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap });
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => producer.ProduceAsync(topic, null, $"v{i}")));

        await using var consumer = new Consumer<string, string>(Clients.Consumer(broker.Bootstrap, AutoOffsetReset.Latest));
        consumer.Assign([tp]);
        Assert.Equal(4, consumer.Position(tp));
        consumer.SeekToBeginning([tp]);
        Assert.Equal(0, consumer.Position(tp));
        Assert.Equal(4, (await Clients.ConsumeAsync(consumer, 4)).Count);
        consumer.SeekToEnd([tp]);
        Assert.Equal(4, consumer.Position(tp));
    }
}
