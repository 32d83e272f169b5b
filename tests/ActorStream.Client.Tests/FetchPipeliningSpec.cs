using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;

namespace ActorStream.Client.Tests;

/// <summary>
/// The consumer fetches a partition again while its buffered records are still being handed out (the next fetch
/// starts where the buffer ends), and hands every record out once and in order, also across a seek.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class FetchPipeliningSpec(BrokerFixture broker)
{
    [Fact]
    public async Task The_next_fetch_must_be_in_flight_while_the_buffer_drains_and_records_must_come_once_in_order()
    {
        const int count = 2_000;
        var topic = await broker.CreateTopicAsync("pipeline", 1);
        await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap, LingerMs = 5, BatchSize = 4_096 }))
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(i => producer.ProduceAsync(topic, null, $"v-{i}"))).WaitAsync(Clients.Patience);
        }

        // Small fetches and polls: many fetches per partition, each drained over several polls.
        var config = Clients.Consumer(broker.Bootstrap) with { MaxPartitionFetchBytes = 8_192, MaxPollRecords = 20 };
        await using var consumer = new Consumer<string, string>(config);
        var partition = new TopicPartition(topic, 0);
        consumer.Assign([partition]);

        var first = await PollUntilRecordsAsync(consumer);
        Assert.True(first.Count < count, "the first poll must leave records in the buffer");
        Assert.True(consumer.FetchInFlight, "the next fetch must be sent while buffered records remain");

        var records = first.Concat(await Clients.ConsumeAsync(consumer, count - first.Count)).ToList();
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), records.Select(r => r.Offset));
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"v-{i}"), records.Select(r => r.Value));

        // A seek drops what was buffered or in flight for the old position.
        consumer.Seek(partition, 1_000);
        var afterSeek = await Clients.ConsumeAsync(consumer, count - 1_000);
        Assert.Equal(Enumerable.Range(1_000, count - 1_000).Select(i => (long)i), afterSeek.Select(r => r.Offset));
    }

    private static async Task<IReadOnlyList<ConsumeResult<string, string>>> PollUntilRecordsAsync(Consumer<string, string> consumer)
    {
        using var cts = new CancellationTokenSource(Clients.Patience);
        while (true)
        {
            var records = await consumer.PollAsync(TimeSpan.FromSeconds(1), cts.Token);
            if (records.Count > 0)
            {
                return records;
            }
        }
    }
}
