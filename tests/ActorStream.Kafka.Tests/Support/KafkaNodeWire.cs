using System.Buffers;
using ActorStream.Broker.Hosting;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;
using ActorStream.TestKit;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>
/// A real node with its Kafka gateway, spoken to over one raw connection with the generated codecs: a request goes out
/// as a client of that version writes it (request header v1 or v2), the answer is decoded in the same version and must
/// be read to its last byte.
/// </summary>
internal sealed class KafkaNodeWire : IAsyncDisposable
{
    private readonly string _dataDir;
    private readonly KafkaWireConnection _connection;

    private KafkaNodeWire(string dataDir, BrokerNode node, KafkaWireConnection connection)
    {
        _dataDir = dataDir;
        Node = node;
        _connection = connection;
    }

    public BrokerNode Node { get; }

    public int KafkaPort => Node.AdvertisedListeners[0].Port;

    public static async Task<KafkaNodeWire> StartAsync()
    {
        var dataDir = Directory.CreateTempSubdirectory("actorstream-kafka-admin-").FullName;
        var node = await TestNode.StartAsync(dataDir, kafka: true);
        return new KafkaNodeWire(dataDir, node, await KafkaWireConnection.ConnectAsync(node.AdvertisedListeners[0].Port));
    }

    public Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, short version)
        where TRequest : IKafkaMessage<TRequest>
        where TResponse : IKafkaMessage<TResponse> =>
        _connection.SendAsync<TRequest, TResponse>(request, version);

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        await Node.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One raw connection to a Kafka listener speaking the generated codecs, one request at a time.</summary>
internal sealed class KafkaWireConnection(RawKafkaClient client) : IAsyncDisposable
{
    private int _correlationId;

    public static async Task<KafkaWireConnection> ConnectAsync(int port) => new(await RawKafkaClient.ConnectAsync(port));

    public async Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, short version)
        where TRequest : IKafkaMessage<TRequest>
        where TResponse : IKafkaMessage<TResponse>
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(output);
        request.Write(ref writer, version);
        var correlationId = Interlocked.Increment(ref _correlationId);
        await client.SendRequestAsync(TRequest.MessageApiKey, version, correlationId, output.WrittenSpan.ToArray(), RequestHeader.VersionFor(TRequest.IsFlexible(version)));
        var frame = await client.ReadFrameAsync() ?? throw new IOException($"The node closed the connection instead of answering API {TRequest.MessageApiKey} v{version}");
        var reader = new KafkaReader(frame);
        Assert.Equal(correlationId, ResponseHeader.Read(ref reader, ResponseHeader.VersionFor(TRequest.MessageApiKey, TResponse.IsFlexible(version))));
        var response = TResponse.Read(ref reader, version);
        Assert.Equal(0, reader.Remaining);
        return response;
    }

    public ValueTask DisposeAsync() => client.DisposeAsync();
}

/// <summary>One <see cref="KafkaNodeWire"/> for every test of a class (each test uses its own topics).</summary>
public sealed class KafkaNodeWireFixture : IAsyncLifetime
{
    internal KafkaNodeWire Wire { get; private set; } = null!;

    public async Task InitializeAsync() => Wire = await KafkaNodeWire.StartAsync();

    public async Task DisposeAsync() => await Wire.DisposeAsync();
}
