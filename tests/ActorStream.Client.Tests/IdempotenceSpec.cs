using System.Collections.Concurrent;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;
using ActorStream.Protocol.Client;
using ActorStream.Storage.Records;

namespace ActorStream.Client.Tests;

[Collection(BrokerCollection.Name)]
public class IdempotenceSpec(BrokerFixture broker)
{
    [Fact]
    public async Task A_lost_response_must_be_retried_and_every_record_stored_exactly_once()
    {
        var topic = await broker.CreateTopicAsync("idem", 3);
        var dropped = new ConcurrentBag<(string Topic, int Partition, int BaseSequence)>();
        var sent = new ConcurrentQueue<(string Topic, int Partition, int BaseSequence)>();
        var firstDropped = 0;
        var requestsById = new ConcurrentDictionary<long, ProduceRequest>();
        var config = new ProducerConfig
        {
            BootstrapServers = broker.Bootstrap,
            LingerMs = 10,
            RequestTimeoutMs = 1000,
            DeliveryTimeoutMs = 30_000,
            Interceptor = new ProducerInterceptor
            {
                OnRequest = (_, request) =>
                {
                    requestsById[request.CorrelationId] = request.Clone();
                    foreach (var p in request.Partitions)
                    {
                        sent.Enqueue((p.Topic, p.Partition, RecordBatchHeader.Read(p.Records.Span).BaseSequence));
                    }
                },
                ShouldDeliver = response =>
                {
                    if (Interlocked.CompareExchange(ref firstDropped, 1, 0) != 0)
                    {
                        return true;
                    }

                    foreach (var p in requestsById[response.CorrelationId].Partitions)
                    {
                        dropped.Add((p.Topic, p.Partition, RecordBatchHeader.Read(p.Records.Span).BaseSequence));
                    }

                    return false; // the broker stored the batches, but the producer never hears of it
                },
            },
        };

        await using var producer = new Producer<string, string>(config);
        var sends = Enumerable.Range(0, 300).Select(i => producer.ProduceAsync(topic, $"k{i}", $"v{i}")).ToList();
        var metadata = await Task.WhenAll(sends).WaitAsync(Clients.Patience);

        Assert.NotEmpty(dropped);
        foreach (var batch in dropped)
        {
            Assert.True(sent.Count(s => s == batch) >= 2, $"the batch {batch} whose response was lost must have been sent again");
        }

        Assert.Equal(300, metadata.Select(m => (m.Partition, m.Offset)).Distinct().Count());
        Assert.All(metadata, m => Assert.True(m.Offset >= 0));

        await using var consumer = new Consumer<string, string>(Clients.Consumer(broker.Bootstrap));
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)));
        var records = await Clients.ConsumeAsync(consumer, 300);
        var extra = await consumer.PollAsync(TimeSpan.FromMilliseconds(500));
        Assert.Empty(extra);
        Assert.Equal(300, records.Select(r => r.Value).Distinct().Count());
        Assert.Equal(300, records.Count);
        var offsets = metadata.ToDictionary(m => (m.Partition, m.Offset));
        Assert.All(records, r => Assert.True(offsets.ContainsKey((r.Partition, r.Offset))));
    }
}
