using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Tests.Support;
using ActorStream.Storage.Records;

namespace ActorStream.Kafka.Tests.Js;

/// <summary>
/// The node process the kafkajs and NestJS specs share (one start for all of them; each test uses its own topics and
/// groups). <see cref="StoredBatchesAsync"/> reads the batch headers the broker stored over the Kafka wire (Fetch v12),
/// so a spec sees the codec and producer id a JavaScript client really sent.
/// </summary>
public sealed class JsKafkaNode : KafkaNode
{
    /// <summary>The argument every script takes: the bootstrap list.</summary>
    public string[] Brokers => [KafkaBootstrap];

    public async Task<IReadOnlyList<RecordBatchHeader>> StoredBatchesAsync(string topic, int partition)
    {
        await using var connection = await KafkaWireConnection.ConnectAsync(KafkaPort);
        var headers = new List<RecordBatchHeader>();
        var offset = 0L;
        while (true)
        {
            var request = new FetchRequest { MaxWaitMs = 0, MinBytes = 1, MaxBytes = 4 * 1024 * 1024 };
            request.Topics.Add(new FetchRequest.FetchTopic
            {
                Topic = topic,
                Partitions = [new FetchRequest.FetchPartition { Partition = partition, FetchOffset = offset, PartitionMaxBytes = 4 * 1024 * 1024 }],
            });
            var response = await connection.SendAsync<FetchRequest, FetchResponse>(request, 12);
            var data = response.Responses[0].Partitions[0];
            Assert.Equal(0, data.ErrorCode);
            var bytes = data.Records ?? ReadOnlyMemory<byte>.Empty;
            var position = 0;
            var before = offset;
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

            if (offset == before)
            {
                return headers;
            }
        }
    }
}

/// <summary>The kafkajs and NestJS specs: one <see cref="JsKafkaNode"/>, tests one after another.</summary>
[CollectionDefinition(Name)]
public sealed class JsKafkaNodeCollection : ICollectionFixture<JsKafkaNode>
{
    public const string Name = "js kafka node";
}
