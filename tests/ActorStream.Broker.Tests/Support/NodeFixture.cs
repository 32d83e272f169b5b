using ActorStream.TestKit;
using Akka.Actor;
using ActorStream.Broker.Hosting;
using ActorStream.Protocol.Client;
using BrokerNode = ActorStream.Broker.Hosting.BrokerNode;
using ActorStream.Storage.Records;
using Google.Protobuf;

namespace ActorStream.Broker.Tests.Support;

/// <summary>One real single-node broker shared by the tests of a class (each test uses its own topics).</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "actorstream-broker-tests", Guid.NewGuid().ToString("N"));

    public BrokerNode Node { get; private set; } = null!;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task InitializeAsync() => Node = await TestNode.StartAsync(DataDir, extra: "actorstream.broker.auto-create-topics-enable = off");

    public async Task DisposeAsync()
    {
        await Node.StopAsync();
        Directory.Delete(DataDir, recursive: true);
    }

    public Task<T> Ask<T>(object request) => Node.Endpoint.Ask<T>(request, Timeout);

    public async Task<TopicResult> CreateTopicAsync(string name, int partitions = 1, IDictionary<string, string>? configs = null)
    {
        var topic = new CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = 1 };
        if (configs is not null)
        {
            topic.Configs.Add(configs);
        }

        var response = await Ask<CreateTopicsResponse>(new CreateTopicsRequest { Topics = { topic } });
        return response.Results.Single();
    }

    public static ByteString Batch(int records, string prefix = "v", long producerId = -1, short epoch = -1, int sequence = -1, long timestamp = 1000, int valueSize = 0)
    {
        using var builder = new RecordBatchBuilder(producerId: producerId, producerEpoch: epoch, baseSequence: sequence);
        for (var i = 0; i < records; i++)
        {
            var value = System.Text.Encoding.UTF8.GetBytes($"{prefix}{i}".PadRight(valueSize, '.'));
            builder.Append(timestamp + i, null, value);
        }

        return ByteString.CopyFrom(builder.Build());
    }

    public async Task<ProducePartitionResponse> ProduceAsync(string topic, int partition, ByteString records, int acks = -1)
    {
        var response = await Ask<ProduceResponse>(new ProduceRequest { Acks = acks, TimeoutMs = 30_000, Partitions = { new ProducePartitionData { Topic = topic, Partition = partition, Records = records } } });
        return response.Partitions.Single();
    }

    public async Task<FetchPartitionResponse> FetchAsync(string topic, int partition, long offset, int maxWaitMs = 0)
    {
        var response = await Ask<FetchResponse>(new FetchRequest { MaxWaitMs = maxWaitMs, MinBytes = 1, Partitions = { new FetchPartition { Topic = topic, Partition = partition, FetchOffset = offset, PartitionMaxBytes = 1 << 20 } } });
        return response.Partitions.Single();
    }

    public static List<string> Values(ByteString records) =>
        RecordBatchReader.ReadRecords(records.Memory).Select(r => System.Text.Encoding.UTF8.GetString(r.Value!.Value.Span).TrimEnd('.')).ToList();
}
