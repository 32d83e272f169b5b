using System.Buffers;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>
/// Single Kafka requests over a <see cref="RawKafkaClient"/>, for what a real client cannot be made to do: send a
/// request to one chosen node (librdkafka sends CreateTopics to the controller it reads from Metadata) and read
/// fields its API hides (Metadata's <c>controller_id</c>). Non-flexible versions: request header v1, response header v0.
/// </summary>
internal static class KafkaWire
{
    /// <summary>Metadata v1 for no topics: the brokers and the controller id.</summary>
    public static Task<MetadataResponse> MetadataAsync(int port) =>
        AskAsync(port, MetadataRequest.ApiKey, 1, new MetadataRequest { Topics = [] }, (ref KafkaWriter w, MetadataRequest r, short v) => r.Write(ref w, v), (ref KafkaReader r, short v) => MetadataResponse.Read(ref r, v));

    /// <summary>FindCoordinator v1 for a group, asked of the node at <paramref name="port"/>: the node it names (or its error).</summary>
    public static Task<FindCoordinatorResponse> FindGroupCoordinatorAsync(int port, string group) =>
        AskAsync(port, FindCoordinatorRequest.ApiKey, 1, new FindCoordinatorRequest { Key = group, KeyType = 0 }, (ref KafkaWriter w, FindCoordinatorRequest r, short v) => r.Write(ref w, v), (ref KafkaReader r, short v) => FindCoordinatorResponse.Read(ref r, v));

    /// <summary>CreateTopics v2 for one topic; returns its result.</summary>
    public static async Task<CreateTopicsResponse.CreatableTopicResult> CreateTopicAsync(int port, string name, int partitions, short replicationFactor, int timeoutMs)
    {
        var request = new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = replicationFactor }],
            TimeoutMs = timeoutMs,
        };
        var response = await AskAsync(port, CreateTopicsRequest.ApiKey, 2, request, (ref KafkaWriter w, CreateTopicsRequest r, short v) => r.Write(ref w, v), (ref KafkaReader r, short v) => CreateTopicsResponse.Read(ref r, v));
        return Assert.Single(response.Topics);
    }

    private delegate void Write<in T>(ref KafkaWriter writer, T message, short version);

    private delegate T Read<out T>(ref KafkaReader reader, short version);

    private static async Task<TResponse> AskAsync<TRequest, TResponse>(int port, short apiKey, short version, TRequest request, Write<TRequest> write, Read<TResponse> read)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(output);
        write(ref writer, request, version);
        await using var client = await RawKafkaClient.ConnectAsync(port);
        const int CorrelationId = 7;
        await client.SendRequestAsync(apiKey, version, CorrelationId, output.WrittenSpan.ToArray());
        var frame = await client.ReadFrameAsync() ?? throw new IOException($"The broker at port {port} closed the connection instead of answering API {apiKey} v{version}");
        return Decode(frame, version, CorrelationId, read);
    }

    private static TResponse Decode<TResponse>(byte[] frame, short version, int correlationId, Read<TResponse> read)
    {
        var reader = new KafkaReader(frame);
        Assert.Equal(correlationId, ResponseHeader.Read(ref reader, 0));
        var response = read(ref reader, version);
        Assert.Equal(0, reader.Remaining);
        return response;
    }
}
