using Akka.Streams;
using Akka.Streams.Dsl;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Streams;
using ActorStream.Client.Tests.Support;
using ActorStream.Storage.Compression;

namespace ActorStream.Client.Tests;

[Collection(BrokerCollection.Name)]
public class StreamsSpec(BrokerFixture broker)
{
    [Fact]
    public async Task A_sink_must_produce_what_a_source_reads_back()
    {
        const int count = 1000;
        var topic = await broker.CreateTopicAsync("streams", 3);
        await using var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap, CompressionType = CompressionType.Gzip });
        await producer.ConnectedTask;
        var materializer = producer.System.Materializer();
        await Source.From(Enumerable.Range(0, count))
            .Select(i => new ProducerMessage<string, string>(topic, $"k{i}", $"v{i}"))
            .RunWith(ProducerStreams.Sink(producer, parallelism: 100), materializer)
            .WaitAsync(Clients.Patience);

        var flowed = await Source.Single(new ProducerMessage<string, string>(topic, "flow", "last") { Partition = 0 })
            .Via(ProducerStreams.Flow(producer))
            .RunWith(Sink.First<RecordMetadata>(), materializer)
            .WaitAsync(Clients.Patience);
        Assert.Equal(0, flowed.Partition);
        Assert.True(flowed.Offset >= 0);

        await using var consumer = new Consumer<string, string>(Clients.Consumer(broker.Bootstrap));
        await consumer.ConnectedTask;
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)));
        var records = await ConsumerStreams.PlainSource(consumer)
            .Take(count + 1)
            .RunWith(Sink.Seq<ConsumeResult<string, string>>(), consumer.System.Materializer())
            .WaitAsync(Clients.Patience);

        Assert.Equal(count + 1, records.Select(r => r.Value).Distinct().Count());
        Assert.Contains(records, r => r.Value == "last" && r.Offset == flowed.Offset && r.Partition == 0);
    }
}
