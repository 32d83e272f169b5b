using System.Buffers;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;
using ActorStream.Kafka.Tests.Support;
using ActorStream.Storage.Records;

namespace ActorStream.Kafka.Tests.DataPath;

/// <summary>
/// Produce requests pipelined on one connection (as librdkafka sends them, several in flight), through a raw socket
/// to the node's Kafka listener: each is appended in arrival order and answered in that order.
/// </summary>
[Collection(KafkaDataNodeCollection.Name)]
public sealed class PipelinedProduceSpec(KafkaDataNode node)
{
    private const short Version = 8; // not flexible: request header v1, response header v0

    private static byte[] ProduceBody(string topic, int value, short acks)
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1_700_000_000_000, null, BitConverter.GetBytes(value));
        var request = new ProduceRequest
        {
            Acks = acks,
            TimeoutMs = 30_000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = builder.Build() }] }],
        };
        var output = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(output);
        request.Write(ref writer, Version);
        return output.WrittenSpan.ToArray();
    }

    private static (int CorrelationId, ProduceResponse Response) Decode(byte[] frame)
    {
        var reader = new KafkaReader(frame);
        var correlationId = ResponseHeader.Read(ref reader, 0);
        return (correlationId, ProduceResponse.Read(ref reader, Version));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task Pipelined_produce_requests_must_be_appended_and_answered_in_arrival_order(short acks)
    {
        const int Requests = 20;
        var topic = await node.CreateTopicAsync("pipelined-produce");
        var port = int.Parse(node.Bootstrap[(node.Bootstrap.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        await using var client = await RawKafkaClient.ConnectAsync(port);

        // All of them in one write: the listener reads them while the first ones are still in flight.
        await client.SendAsync(Enumerable.Range(0, Requests)
            .SelectMany(i => RawKafkaClient.Request(ProduceRequest.ApiKey, Version, 100 + i, ProduceBody(topic, i, acks)))
            .ToArray());

        for (var i = 0; i < Requests; i++)
        {
            var frame = await client.ReadFrameAsync() ?? throw new IOException($"The listener closed the connection before answering request {i}");
            var (correlationId, response) = Decode(frame);
            Assert.Equal(100 + i, correlationId);
            var partition = Assert.Single(Assert.Single(response.Responses).PartitionResponses);
            Assert.Equal((0, (long)i), (partition.ErrorCode, partition.BaseOffset));
        }

        Assert.Equal(Enumerable.Range(0, Requests).Select(i => (long)i), (await node.StoredBatchesAsync(topic)).Select(h => h.BaseOffset));
    }
}
