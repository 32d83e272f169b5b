using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;

namespace ActorStream.Kafka.Tests.Golden;

/// <summary>
/// Request frames recorded from real clients (Golden/README.md: which client, version and command) decode with the
/// generated codecs, re-encode byte for byte (header and body), and carry what the clients were told to send.
/// </summary>
public sealed class GoldenFrameSpec
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Golden");

    public static TheoryData<string> Frames() => new(FrameFiles());

    private static List<string> FrameFiles() =>
        Directory.GetFiles(Folder, "*.hex", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Folder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void Every_client_was_recorded()
    {
        var files = FrameFiles();
        var clients = files.Select(f => f.Split('/')[0]).ToHashSet();
        Assert.Equal(["confluent-admin", "confluent-consumer", "confluent-idempotent", "confluent-producer", "kafkajs", "kcat", "kcat-consumer"], clients.Order(StringComparer.Ordinal));
        Assert.Contains("confluent-producer/02-Produce-v10.hex", files);
        Assert.Contains("kcat/02-Produce-v7.hex", files);
        Assert.Contains("kafkajs/02-Produce-v7.hex", files);
        Assert.Contains("confluent-consumer/06-Fetch-v16.hex", files);
        Assert.Contains("kcat-consumer/03-Fetch-v11.hex", files);
        Assert.Contains("confluent-admin/08-DeleteTopics-v4.hex", files);
        // The Confluent consumer's OffsetsForTimes went out as ListOffsets with the timestamp it was given.
        var byTime = Convert.FromHexString(File.ReadAllText(Path.Combine(Folder, "confluent-consumer/04-ListOffsets-v7.hex")).Replace("\n", "", StringComparison.Ordinal));
        var reader = new KafkaReader(byTime);
        _ = RequestHeader.Read(ref reader, RequestHeader.VersionFor(ListOffsetsRequest.IsFlexible(7)));
        Assert.Equal(GoldenClients.OffsetsForTime, ListOffsetsRequest.Read(ref reader, 7).Topics[0].Partitions[0].Timestamp);
    }

    [Theory]
    [MemberData(nameof(Frames))]
    public void Recorded_frame_decodes_and_re_encodes_byte_identical(string file)
    {
        var client = file.Split('/')[0];
        var frame = Convert.FromHexString(File.ReadAllText(Path.Combine(Folder, file)).Replace("\n", "", StringComparison.Ordinal));
        var apiKey = BinaryPrimitives.ReadInt16BigEndian(frame);
        var version = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(2));
        Assert.EndsWith($"-v{version}.hex", file, StringComparison.Ordinal);
        switch (apiKey)
        {
            case ApiVersionsRequest.ApiKey:
                var apiVersions = Decode<ApiVersionsRequest>(frame, client);
                if (version >= 3)
                {
                    Assert.Equal(client.StartsWith("kcat", StringComparison.Ordinal) ? "librdkafka" : "confluent-kafka-dotnet", apiVersions.ClientSoftwareName);
                    Assert.Equal(client.StartsWith("kcat", StringComparison.Ordinal) ? "2.0.2" : "2.16.0", apiVersions.ClientSoftwareVersion);
                }

                break;
            case MetadataRequest.ApiKey:
                var metadata = Decode<MetadataRequest>(frame, client);
                // librdkafka's first Metadata may ask for the brokers only (an empty topic list), never for all topics;
                // the admin client's DeleteRecords looks up the leader of the topic it trims.
                var topicAsked = client == "confluent-admin" ? "golden-created" : RecordingBroker.DefaultTopic;
                Assert.True(metadata.Topics is { Count: 0 } || metadata.Topics!.Single().Name == topicAsked,
                    $"{file}: topics {string.Join(",", metadata.Topics?.Select(t => t.Name) ?? ["(all)"])}");

                break;
            case ProduceRequest.ApiKey:
                CheckProduce(Decode<ProduceRequest>(frame, client), client);
                break;
            case InitProducerIdRequest.ApiKey:
                var init = Decode<InitProducerIdRequest>(frame, client);
                Assert.Null(init.TransactionalId);
                Assert.Equal(-1L, init.ProducerId);
                break;
            case CreateTopicsRequest.ApiKey:
                var create = Decode<CreateTopicsRequest>(frame, client);
                var topic = Assert.Single(create.Topics);
                Assert.Equal(client == "kafkajs" ? ("golden-kafkajs-created", 2, (short)1) : ("golden-created", 3, (short)1),
                    (topic.Name, topic.NumPartitions, topic.ReplicationFactor));
                Assert.False(create.validateOnly);
                break;
            case FetchRequest.ApiKey:
                CheckFetch(Decode<FetchRequest>(frame, client), version, client);
                break;
            case ListOffsetsRequest.ApiKey:
                var list = Decode<ListOffsetsRequest>(frame, client);
                Assert.Equal(-1, list.ReplicaId);
                var listed = Assert.Single(Assert.Single(list.Topics, t => t.Name == RecordingBroker.DefaultTopic).Partitions);
                Assert.Equal(0, listed.PartitionIndex);
                // Offset.Beginning (-2), a watermark query (-1), or the consumer's OffsetsForTimes timestamp.
                Assert.Contains(listed.Timestamp, new[] { -2L, -1L, GoldenClients.OffsetsForTime });
                break;
            case OffsetForLeaderEpochRequest.ApiKey:
                var epochs = Decode<OffsetForLeaderEpochRequest>(frame, client);
                var asked = Assert.Single(Assert.Single(epochs.Topics, t => t.Topic == RecordingBroker.DefaultTopic).Partitions);
                Assert.Equal((0, 0), (asked.Partition, asked.CurrentLeaderEpoch));
                break;
            case CreatePartitionsRequest.ApiKey:
                var grow = Assert.Single(Decode<CreatePartitionsRequest>(frame, client).Topics);
                Assert.Equal(("golden-created", 5), (grow.Name, grow.Count));
                break;
            case DescribeConfigsRequest.ApiKey:
                var described = Assert.Single(Decode<DescribeConfigsRequest>(frame, client).Resources);
                Assert.Equal(((sbyte)2, "golden-created"), (described.ResourceType, described.ResourceName)); // 2 = TOPIC
                break;
            case IncrementalAlterConfigsRequest.ApiKey:
                var altered = Assert.Single(Decode<IncrementalAlterConfigsRequest>(frame, client).Resources);
                Assert.Equal(((sbyte)2, "golden-created"), (altered.ResourceType, altered.ResourceName));
                var entry = Assert.Single(altered.Configs);
                Assert.Equal(("retention.ms", (sbyte)0, "3600000"), (entry.Name, entry.ConfigOperation, entry.Value)); // 0 = SET
                break;
            case DeleteRecordsRequest.ApiKey:
                var trimmed = Assert.Single(Decode<DeleteRecordsRequest>(frame, client).Topics);
                Assert.Equal("golden-created", trimmed.Name);
                Assert.Equal((0, 7L), (Assert.Single(trimmed.Partitions).PartitionIndex, trimmed.Partitions[0].Offset));
                break;
            case DeleteTopicsRequest.ApiKey:
                var deleted = Decode<DeleteTopicsRequest>(frame, client);
                Assert.Equal(["golden-created"], version >= 6 ? deleted.Topics.Select(t => t.Name) : deleted.TopicNames);
                break;
            case FindCoordinatorRequest.ApiKey:
                var find = Decode<FindCoordinatorRequest>(frame, client);
                Assert.Equal("golden-group", version >= 4 ? Assert.Single(find.CoordinatorKeys) : find.Key);
                break;
            default:
                Assert.Fail($"{file}: no check for api key {apiKey}");
                break;
        }
    }

    private static void CheckProduce(ProduceRequest produce, string client)
    {
        Assert.Equal(client == "kcat" ? (short)1 : (short)-1, produce.Acks);
        Assert.Null(produce.TransactionalId);
        var topic = Assert.Single(produce.TopicData);
        Assert.Equal(RecordingBroker.DefaultTopic, topic.Name);
        var partition = Assert.Single(topic.PartitionData);
        Assert.Equal(0, partition.Index);
        var batch = partition.Records!.Value.Span;
        Assert.Equal(2, batch[16]); // RecordBatch magic v2
        var (key, value) = client switch
        {
            "confluent-producer" => ("confluent-key", "confluent-value"),
            "confluent-idempotent" => ("idempotent-key", "idempotent-value"),
            "kafkajs" => ("kafkajs-key", "kafkajs-value"),
            _ => ("", "kcat-value"),
        };
        Assert.True(batch.IndexOf(Encoding.UTF8.GetBytes(value)) > 0, $"{client}: the batch holds no {value}");
        Assert.True(key.Length == 0 || batch.IndexOf(Encoding.UTF8.GetBytes(key)) > 0, $"{client}: the batch holds no {key}");
        // The producer id at byte 43 of the batch: the one the recorder's InitProducerId gave, else -1.
        Assert.Equal(client == "confluent-idempotent" ? 4000L : -1L, BinaryPrimitives.ReadInt64BigEndian(batch[43..]));
    }

    private static void CheckFetch(FetchRequest fetch, short version, string client)
    {
        Assert.Equal(client == "kcat-consumer" ? 123 : 321, fetch.MaxWaitMs);
        Assert.Equal(1, fetch.IsolationLevel); // librdkafka's default isolation.level is read_committed
        var topic = Assert.Single(fetch.Topics);
        if (version >= 13)
        {
            Assert.Equal(RecordingBroker.TopicId, topic.TopicId);
        }
        else
        {
            Assert.Equal(RecordingBroker.DefaultTopic, topic.Topic);
        }

        var partition = Assert.Single(topic.Partitions);
        Assert.Equal((0, 0L), (partition.Partition, partition.FetchOffset));
    }

    private static T Decode<T>(byte[] frame, string client)
        where T : IKafkaMessage<T>
    {
        var version = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(2));
        var headerVersion = RequestHeader.VersionFor(T.IsFlexible(version));
        var reader = new KafkaReader(frame);
        var header = RequestHeader.Read(ref reader, headerVersion);
        var body = T.Read(ref reader, version);
        Assert.Equal(0, reader.Remaining);
        Assert.Equal(T.MessageApiKey, header.ApiKey);
        Assert.Equal(ClientId(client), header.ClientId);

        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        header.Write(ref writer, headerVersion);
        body.Write(ref writer, version);
        Assert.Equal(Convert.ToHexString(frame), Convert.ToHexString(buffer.WrittenSpan));
        return body;
    }

    private static string ClientId(string client) => client switch
    {
        "confluent-producer" => GoldenClients.ConfluentProducer,
        "confluent-idempotent" => GoldenClients.ConfluentIdempotent,
        "confluent-admin" => GoldenClients.ConfluentAdmin,
        "kcat" => GoldenClients.Kcat,
        "kafkajs" => GoldenClients.Kafkajs,
        "confluent-consumer" => GoldenClients.ConfluentConsumer,
        "kcat-consumer" => GoldenClients.KcatConsumer,
        _ => throw new ArgumentException(client),
    };
}
