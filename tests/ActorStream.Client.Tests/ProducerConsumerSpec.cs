using System.Collections.Concurrent;
using System.Text;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;
using ActorStream.Protocol.Client;
using ActorStream.Storage.Compression;

namespace ActorStream.Client.Tests;

[Collection(BrokerCollection.Name)]
public class ProducerConsumerSpec(BrokerFixture broker)
{
    [Fact]
    public async Task Records_must_go_from_producer_to_consumer_once_in_order_on_the_murmur2_partition()
    {
        const int partitions = 6;
        const int count = 3000;
        var topic = await broker.CreateTopicAsync("e2e", partitions);
        var config = new ProducerConfig { BootstrapServers = broker.Bootstrap, LingerMs = 5, CompressionType = CompressionType.Lz4 };
        await using var producer = new Producer<string, string>(config);

        var sends = new List<Task<RecordMetadata>>(count);
        for (var i = 0; i < count; i++)
        {
            sends.Add(producer.ProduceAsync(topic, $"key-{i % 97}", $"value-{i}"));
        }

        var metadata = await Task.WhenAll(sends).WaitAsync(Clients.Patience);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(topic, metadata[i].Topic);
            Assert.Equal(Murmur2.Partition(Encoding.UTF8.GetBytes($"key-{i % 97}"), partitions), metadata[i].Partition);
        }

        Assert.Equal(count, metadata.Select(m => (m.Partition, m.Offset)).Distinct().Count());

        await using var consumer = new Consumer<string, string>(Clients.Consumer(broker.Bootstrap));
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)));
        var records = await Clients.ConsumeAsync(consumer, count);

        Assert.Equal(count, records.Count);
        Assert.Equal(count, records.Select(r => r.Value).Distinct().Count());
        var expected = metadata.Select((m, i) => (m, i)).ToDictionary(x => $"value-{x.i}", x => (x.m.Partition, x.m.Offset));
        foreach (var record in records)
        {
            Assert.Equal(expected[record.Value], (record.Partition, record.Offset));
            Assert.Equal(Murmur2.Partition(Encoding.UTF8.GetBytes(record.Key), partitions), record.Partition);
        }

        foreach (var partition in records.GroupBy(r => r.Partition))
        {
            var offsets = partition.Select(r => r.Offset).ToList();
            Assert.Equal(offsets.Order().ToList(), offsets);
            var sequence = partition.Select(r => int.Parse(r.Value["value-".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(sequence.Order().ToList(), sequence); // produce order is kept per partition
        }

        for (var p = 0; p < partitions; p++)
        {
            Assert.Equal(records.Count(r => r.Partition == p), consumer.Position(new TopicPartition(topic, p)));
        }
    }

    [Fact]
    public async Task Null_keys_must_stick_to_a_partition_per_batch_and_still_spread()
    {
        var topic = await broker.CreateTopicAsync("sticky", 4);
        await using var producer = new Producer<Serialization.Null, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap, LingerMs = 20, BatchSize = 4096 });
        var value = new string('x', 100);
        var sends = Enumerable.Range(0, 2000).Select(_ => producer.ProduceAsync(topic, null, value)).ToList();
        var metadata = await Task.WhenAll(sends).WaitAsync(Clients.Patience);

        var switches = Enumerable.Range(1, metadata.Length - 1).Count(i => metadata[i].Partition != metadata[i - 1].Partition);
        Assert.True(metadata.Select(m => m.Partition).Distinct().Count() >= 2, "null keys must spread over partitions");
        Assert.True(switches < metadata.Length / 10, $"null keys must stick to one partition per batch, but switched {switches} times");
    }

    [Fact]
    public async Task One_request_must_carry_batches_of_several_partitions_of_the_same_node()
    {
        var topic = await broker.CreateTopicAsync("piggyback", 6);
        var requests = new ConcurrentQueue<ProduceRequest>();
        var config = new ProducerConfig
        {
            BootstrapServers = broker.Bootstrap,
            LingerMs = 300,
            Interceptor = new ProducerInterceptor { OnRequest = (_, request) => requests.Enqueue(request.Clone()) },
        };
        await using var producer = new Producer<string, string>(config);
        await producer.ConnectedTask;
        var sends = Enumerable.Range(0, 60).Select(i => producer.ProduceAsync(topic, null, $"v{i}", partition: i % 6)).ToList();
        await Task.WhenAll(sends).WaitAsync(Clients.Patience);

        var widest = requests.Max(r => r.Partitions.Select(p => p.Partition).Distinct().Count());
        Assert.True(widest >= 2, $"expected a request with batches for >= 2 partitions, the widest had {widest}");
        Assert.All(requests, r => Assert.Equal(r.Partitions.Count, r.Partitions.Select(p => (p.Topic, p.Partition)).Distinct().Count()));
        Assert.True(requests.Count < 60, $"{requests.Count} requests for 60 records: records were not batched");
    }

    [Fact]
    public async Task Headers_timestamps_and_explicit_partitions_must_round_trip()
    {
        var topic = await broker.CreateTopicAsync("headers", 3);
        await using var producer = new Producer<byte[], long>(new ProducerConfig { BootstrapServers = broker.Bootstrap, Acks = Acks.Leader });
        var sent = await producer.ProduceAsync(topic, [1, 2, 3], 42L, partition: 2, timestamp: 1_700_000_000_000, headers: [new("h", [9]), new("empty", null)]);
        Assert.Equal(2, sent.Partition);
        Assert.Equal(1_700_000_000_000, sent.Timestamp);

        await using var consumer = new Consumer<byte[], long>(Clients.Consumer(broker.Bootstrap));
        consumer.Assign([new TopicPartition(topic, 2)]);
        var record = Assert.Single(await Clients.ConsumeAsync(consumer, 1));
        Assert.Equal([1, 2, 3], record.Key);
        Assert.Equal(42L, record.Value);
        Assert.Equal(sent.Offset, record.Offset);
        Assert.Equal(1_700_000_000_000, record.Timestamp);
        Assert.Equal("h", record.Headers[0].Key);
        Assert.Equal([9], record.Headers[0].Value);
        Assert.Null(record.Headers[1].Value);
    }

    [Fact]
    public async Task Acks_0_must_complete_with_unknown_offsets_and_still_store_the_records()
    {
        var topic = await broker.CreateTopicAsync("acks0", 1);
        await using var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap, Acks = Acks.None });
        var metadata = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => producer.ProduceAsync(topic, null, $"v{i}"))).WaitAsync(Clients.Patience);
        Assert.All(metadata, m => Assert.Equal(-1, m.Offset));

        await using var consumer = new Consumer<string, string>(Clients.Consumer(broker.Bootstrap));
        consumer.Assign([new TopicPartition(topic, 0)]);
        var records = await Clients.ConsumeAsync(consumer, 20);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"v{i}"), records.Select(r => r.Value));
    }
}
