using System.Buffers;
using Akka.Actor;
using ActorStream.Broker.Hosting;
using ActorStream.Kafka.Apis;
using ActorStream.Kafka.Hosting;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;
using ActorStream.Storage.Compression;
using ActorStream.Storage.Records;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Tests.DataPath;

/// <summary>
/// One in-process node with its Kafka listener on a free port, shared by the data-path specs (each test uses its own
/// topics). Real clients (Confluent.Kafka, kcat) dial <see cref="Bootstrap"/>; in-process calls go straight to a
/// handler (<see cref="CallAsync{TRequest, TResponse}"/>); <see cref="StoredBatchesAsync"/> reads what the broker stored.
/// </summary>
public sealed class KafkaDataNode : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "actorstream-kafka-data", Guid.NewGuid().ToString("N"));
    private BrokerNode? _node;

    public BrokerNode Node => _node ?? throw new InvalidOperationException("The node is not started");

    public string Bootstrap => Node.KafkaBootstrap();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _node = await TestNode.StartAsync(_directory, kafka: true);
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static string UniqueTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>Creates a topic through the native protocol and returns its name once every partition has a leader.</summary>
    public async Task<string> CreateTopicAsync(string prefix, int partitions = 1)
    {
        var topic = UniqueTopic(prefix);
        var request = new Native.CreateTopicsRequest();
        request.Topics.Add(new Native.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 });
        var response = await Node.Endpoint.Ask<Native.CreateTopicsResponse>(request, Timeout);
        Assert.Equal(0, response.Results[0].ErrorCode);
        return topic;
    }

    /// <summary>Every batch header the partition's leader stored, read through the native protocol (raw bytes, never decoded).</summary>
    public async Task<IReadOnlyList<RecordBatchHeader>> StoredBatchesAsync(string topic, int partition = 0)
    {
        var headers = new List<RecordBatchHeader>();
        var offset = 0L;
        while (true)
        {
            var fetch = new Native.FetchRequest { MaxWaitMs = 0, MinBytes = 1, MaxBytes = 4 * 1024 * 1024 };
            fetch.Partitions.Add(new Native.FetchPartition { Topic = topic, Partition = partition, FetchOffset = offset, PartitionMaxBytes = 4 * 1024 * 1024 });
            var response = await Node.Endpoint.Ask<Native.FetchResponse>(fetch, Timeout);
            var result = response.Partitions[0];
            Assert.Equal(0, result.ErrorCode);
            var bytes = result.Records.Memory;
            if (bytes.IsEmpty)
            {
                return headers;
            }

            var position = 0;
            while (bytes.Length - position >= RecordBatch.HeaderSize)
            {
                var header = RecordBatchHeader.Read(bytes.Span[position..]);
                if (header.SizeInBytes > bytes.Length - position)
                {
                    break;
                }

                if (header.NextOffset > offset)
                {
                    headers.Add(header);
                    offset = header.NextOffset;
                }

                position += header.SizeInBytes;
            }
        }
    }

    /// <summary>The compression codecs of the stored batches.</summary>
    public async Task<IReadOnlyList<CompressionType>> StoredCodecsAsync(string topic, int partition = 0) =>
        (await StoredBatchesAsync(topic, partition)).Select(h => h.Compression).ToList();

    internal KafkaRequestContext Context(short apiKey, short version) =>
        new(
            new RequestHeader(apiKey, version, 7, "data-path-spec"),
            new KafkaListenerInfo("PLAINTEXT", "127.0.0.1", int.Parse(Bootstrap.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)),
            null,
            new KafkaGatewayServices(Node.System, Node.Endpoint, Node.Settings, Node.ClusterId));

    /// <summary>
    /// Encodes <paramref name="request"/> at <paramref name="version"/>, hands it to the real handler of its key and decodes
    /// the response (null: the handler sent none).
    /// </summary>
    internal async Task<TResponse?> CallAsync<TRequest, TResponse>(TRequest request, short version)
        where TRequest : IKafkaMessage<TRequest>
        where TResponse : class, IKafkaMessage<TResponse>
    {
        var api = KafkaApis.Find(TRequest.MessageApiKey) ?? throw new InvalidOperationException($"No handler for key {TRequest.MessageApiKey}");
        var body = new ArrayBufferWriter<byte>();
        Encode(request, version, body);
        var output = new ArrayBufferWriter<byte>();
        if (!await api.HandleAsync(Context(api.Key, version), body.WrittenMemory, output, CancellationToken.None))
        {
            return null;
        }

        return Decode<TResponse>(output.WrittenMemory, api.ResponseHeaderVersion(version), version);
    }

    private static void Encode<TRequest>(TRequest request, short version, IBufferWriter<byte> output)
        where TRequest : IKafkaMessage<TRequest>
    {
        var writer = new KafkaWriter(output);
        request.Write(ref writer, version);
    }

    private static TResponse Decode<TResponse>(ReadOnlyMemory<byte> bytes, short headerVersion, short version)
        where TResponse : IKafkaMessage<TResponse>
    {
        var reader = new KafkaReader(bytes);
        Assert.Equal(7, ResponseHeader.Read(ref reader, headerVersion));
        var response = TResponse.Read(ref reader, version);
        Assert.Equal(0, reader.Remaining);
        return response;
    }
}

[CollectionDefinition(Name)]
public sealed class KafkaDataNodeCollection : ICollectionFixture<KafkaDataNode>
{
    public const string Name = "kafka data node";
}
