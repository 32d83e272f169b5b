using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Network;
using ActorStream.Kafka.Protocol;

namespace ActorStream.Kafka.Tests.Golden;

/// <summary>One request frame as a client sent it (without its size prefix).</summary>
internal sealed record RecordedFrame(short ApiKey, short ApiVersion, string? ClientId, byte[] Bytes);

/// <summary>
/// A stand-in broker on 127.0.0.1 for recording what real clients send: it stores every request frame and answers
/// just enough, with the generated codecs, for a client to go on to produce and create topics: ApiVersions (the
/// issue's version table; KIP-511's v0 fallback for a version above 3), Metadata (one broker, itself, and every asked
/// topic with one partition it leads), Produce (success), InitProducerId and CreateTopics. Any other request closes
/// the connection. Not a broker: nothing is stored but the frames.
/// </summary>
internal sealed class RecordingBroker : IAsyncDisposable
{
    public const string DefaultTopic = "golden-topic";

    private const short UnsupportedVersion = 35;

    private static readonly TimeSpan FetchPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>The versions the table advertises, by api key.</summary>
    private static readonly (short Key, short Min, short Max)[] Advertised =
    [
        (18, 0, 3), (3, 0, 12), (0, 0, 10), (1, 4, 16), (2, 1, 8), (23, 2, 4), (22, 0, 4), (10, 0, 4), (19, 2, 7), (20, 1, 6),
        (37, 0, 3), (21, 0, 2), (32, 1, 4), (33, 0, 2), (44, 0, 1), (60, 0, 1), (35, 0, 4), (29, 0, 3), (43, 0, 2), (45, 0, 0),
        (46, 0, 0),
    ];

    public static readonly Guid TopicId = Guid.Parse("5a1e7c3d-0f4b-4e8a-9b61-2c3d4e5f6a7b");

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RecordedFrame> _frames = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accept;
    private long _nextOffset;

    public RecordingBroker()
    {
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyList<RecordedFrame> Frames => _frames.ToArray();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping.
        }

        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_connections)
            {
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var sizeBuffer = new byte[4];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await stream.ReadExactlyAsync(sizeBuffer, _stop.Token);
                var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(sizeBuffer)];
                await stream.ReadExactlyAsync(frame, _stop.Token);
                if (Answer(frame) is not { } response)
                {
                    continue;
                }

                if (BinaryPrimitives.ReadInt16BigEndian(frame) == FetchRequest.ApiKey)
                {
                    // A long poll with nothing to return waits, as a broker's would, so the client does not spin.
                    await Task.Delay(FetchPoll, _stop.Token);
                }

                await stream.WriteAsync(response, _stop.Token);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or OperationCanceledException or SocketException or KafkaCloseConnectionException)
        {
            // The client went away, or the request was one we do not answer.
        }
    }

    /// <summary>The size-prefixed response frame, or null for a request that gets none (acks=0).</summary>
    private byte[]? Answer(byte[] frame)
    {
        var apiKey = BinaryPrimitives.ReadInt16BigEndian(frame);
        var version = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(2));
        var reader = new KafkaReader(frame);
        var header = RequestHeader.Read(ref reader, RequestHeader.VersionFor(IsFlexibleRequest(apiKey, version)));
        _frames.Enqueue(new RecordedFrame(apiKey, version, header.ClientId, frame));
        switch (apiKey)
        {
            case ApiVersionsRequest.ApiKey:
                return version > 3
                    ? Frame(header, ApiVersionsResponses(UnsupportedVersion), 0)
                    : Frame(header, ApiVersionsResponses(0), version);
            case MetadataRequest.ApiKey:
                return Frame(header, Metadata(MetadataRequest.Read(ref reader, version)), version);
            case ProduceRequest.ApiKey:
                var produce = ProduceRequest.Read(ref reader, version);
                return produce.Acks == 0 ? null : Frame(header, Produced(produce), version);
            case InitProducerIdRequest.ApiKey:
                return Frame(header, new InitProducerIdResponse { ProducerId = 4000, ProducerEpoch = 0 }, version);
            case CreateTopicsRequest.ApiKey:
                return Frame(header, Created(CreateTopicsRequest.Read(ref reader, version)), version);
            case FetchRequest.ApiKey:
                return Frame(header, Fetched(FetchRequest.Read(ref reader, version)), version);
            case ListOffsetsRequest.ApiKey:
                return Frame(header, Listed(ListOffsetsRequest.Read(ref reader, version), version), version);
            case OffsetForLeaderEpochRequest.ApiKey:
                return Frame(header, EpochEnds(OffsetForLeaderEpochRequest.Read(ref reader, version)), version);
            case DeleteTopicsRequest.ApiKey:
                var delete = DeleteTopicsRequest.Read(ref reader, version);
                return Frame(header, new DeleteTopicsResponse
                {
                    Responses = (version >= 6 ? delete.Topics.Select(t => t.Name) : delete.TopicNames)
                        .Select(name => new DeleteTopicsResponse.DeletableTopicResult { Name = name, TopicId = version >= 6 ? TopicId : Guid.Empty }).ToList(),
                }, version);
            case CreatePartitionsRequest.ApiKey:
                var partitions = CreatePartitionsRequest.Read(ref reader, version);
                return Frame(header, new CreatePartitionsResponse
                {
                    Results = partitions.Topics.Select(t => new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = t.Name }).ToList(),
                }, version);
            case DescribeConfigsRequest.ApiKey:
                var describe = DescribeConfigsRequest.Read(ref reader, version);
                return Frame(header, new DescribeConfigsResponse
                {
                    Results = describe.Resources.Select(r => new DescribeConfigsResponse.DescribeConfigsResult
                    {
                        ErrorMessage = null, ResourceType = r.ResourceType, ResourceName = r.ResourceName,
                        Configs = [new() { Name = "retention.ms", Value = "604800000", ConfigSource = version >= 1 ? (sbyte)5 : (sbyte)-1, IsDefault = version == 0 }],
                    }).ToList(),
                }, version);
            case IncrementalAlterConfigsRequest.ApiKey:
                var alter = IncrementalAlterConfigsRequest.Read(ref reader, version);
                return Frame(header, new IncrementalAlterConfigsResponse
                {
                    Responses = alter.Resources.Select(r => new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
                    {
                        ErrorMessage = null, ResourceType = r.ResourceType, ResourceName = r.ResourceName,
                    }).ToList(),
                }, version);
            case DescribeClusterRequest.ApiKey:
                _ = DescribeClusterRequest.Read(ref reader, version);
                return Frame(header, new DescribeClusterResponse
                {
                    ClusterId = "golden-cluster", ControllerId = 1, Brokers = [new() { BrokerId = 1, Host = "127.0.0.1", Port = Port }],
                }, version);
            case DeleteRecordsRequest.ApiKey:
                var records = DeleteRecordsRequest.Read(ref reader, version);
                return Frame(header, new DeleteRecordsResponse
                {
                    Topics = records.Topics.Select(t => new DeleteRecordsResponse.DeleteRecordsTopicResult
                    {
                        Name = t.Name,
                        Partitions = t.Partitions.Select(p => new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = p.PartitionIndex, LowWatermark = p.Offset }).ToList(),
                    }).ToList(),
                }, version);
            case FindCoordinatorRequest.ApiKey:
                var find = FindCoordinatorRequest.Read(ref reader, version);
                return Frame(header, new FindCoordinatorResponse
                {
                    NodeId = 1, Host = "127.0.0.1", Port = Port,
                    Coordinators = find.CoordinatorKeys.Select(k => new FindCoordinatorResponse.Coordinator { Key = k, NodeId = 1, Host = "127.0.0.1", Port = Port }).ToList(),
                }, version);
            default:
                throw new KafkaCloseConnectionException($"the recorder does not answer api key {apiKey}");
        }
    }

    private static bool IsFlexibleRequest(short apiKey, short version) => apiKey switch
    {
        FetchRequest.ApiKey => FetchRequest.IsFlexible(version),
        DeleteTopicsRequest.ApiKey => DeleteTopicsRequest.IsFlexible(version),
        CreatePartitionsRequest.ApiKey => CreatePartitionsRequest.IsFlexible(version),
        DescribeConfigsRequest.ApiKey => DescribeConfigsRequest.IsFlexible(version),
        IncrementalAlterConfigsRequest.ApiKey => IncrementalAlterConfigsRequest.IsFlexible(version),
        DescribeClusterRequest.ApiKey => DescribeClusterRequest.IsFlexible(version),
        DeleteRecordsRequest.ApiKey => DeleteRecordsRequest.IsFlexible(version),
        ListOffsetsRequest.ApiKey => ListOffsetsRequest.IsFlexible(version),
        OffsetForLeaderEpochRequest.ApiKey => OffsetForLeaderEpochRequest.IsFlexible(version),
        ApiVersionsRequest.ApiKey => ApiVersionsRequest.IsFlexible(version),
        MetadataRequest.ApiKey => MetadataRequest.IsFlexible(version),
        ProduceRequest.ApiKey => ProduceRequest.IsFlexible(version),
        InitProducerIdRequest.ApiKey => InitProducerIdRequest.IsFlexible(version),
        CreateTopicsRequest.ApiKey => CreateTopicsRequest.IsFlexible(version),
        FindCoordinatorRequest.ApiKey => FindCoordinatorRequest.IsFlexible(version),
        _ => false,
    };

    private static ApiVersionsResponse ApiVersionsResponses(short errorCode) => new()
    {
        ErrorCode = errorCode,
        ApiKeys = Advertised.Select(a => new ApiVersionsResponse.ApiVersion { ApiKey = a.Key, MinVersion = a.Min, MaxVersion = a.Max }).ToList(),
    };

    private MetadataResponse Metadata(MetadataRequest request)
    {
        var names = request.Topics is { Count: > 0 } topics ? topics.Select(t => t.Name ?? DefaultTopic).ToList() : [DefaultTopic];
        return new MetadataResponse
        {
            Brokers = [new() { NodeId = 1, Host = "127.0.0.1", Port = Port }],
            ClusterId = "golden-cluster",
            ControllerId = 1,
            Topics = names.Select(name => new MetadataResponse.MetadataResponseTopic
            {
                Name = name,
                TopicId = TopicId,
                Partitions = [new() { PartitionIndex = 0, LeaderId = 1, LeaderEpoch = 0, ReplicaNodes = [1], IsrNodes = [1] }],
            }).ToList(),
        };
    }

    private ProduceResponse Produced(ProduceRequest request) => new()
    {
        Responses = request.TopicData.Select(topic => new ProduceResponse.TopicProduceResponse
        {
            Name = topic.Name,
            PartitionResponses = topic.PartitionData.Select(p => new ProduceResponse.PartitionProduceResponse
            {
                Index = p.Index,
                BaseOffset = Interlocked.Add(ref _nextOffset, 1) - 1,
                LogStartOffset = 0,
            }).ToList(),
        }).ToList(),
    };

    /// <summary>Every asked partition is empty: offsets 0 to 0.</summary>
    private static FetchResponse Fetched(FetchRequest request) => new()
    {
        Responses = request.Topics.Select(topic => new FetchResponse.FetchableTopicResponse
        {
            Topic = topic.Topic,
            TopicId = topic.TopicId,
            Partitions = topic.Partitions.Select(p => new FetchResponse.PartitionData
            {
                PartitionIndex = p.Partition, HighWatermark = 0, LastStableOffset = 0, LogStartOffset = 0, Records = ReadOnlyMemory<byte>.Empty,
            }).ToList(),
        }).ToList(),
    };

    private static ListOffsetsResponse Listed(ListOffsetsRequest request, short version) => new()
    {
        Topics = request.Topics.Select(topic => new ListOffsetsResponse.ListOffsetsTopicResponse
        {
            Name = topic.Name,
            Partitions = topic.Partitions.Select(p => new ListOffsetsResponse.ListOffsetsPartitionResponse
            {
                // LeaderEpoch is a v4+ field that may not be dropped: an older version must leave it at its default.
                PartitionIndex = p.PartitionIndex, Timestamp = -1, Offset = 0, LeaderEpoch = version >= 4 ? 0 : -1,
            }).ToList(),
        }).ToList(),
    };

    private static OffsetForLeaderEpochResponse EpochEnds(OffsetForLeaderEpochRequest request) => new()
    {
        Topics = request.Topics.Select(topic => new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult
        {
            Topic = topic.Topic,
            Partitions = topic.Partitions.Select(p => new OffsetForLeaderEpochResponse.EpochEndOffset
            {
                Partition = p.Partition, LeaderEpoch = 0, EndOffset = 0,
            }).ToList(),
        }).ToList(),
    };

    private static CreateTopicsResponse Created(CreateTopicsRequest request) => new()
    {
        Topics = request.Topics.Select(t => new CreateTopicsResponse.CreatableTopicResult
        {
            Name = t.Name,
            TopicId = TopicId,
            ErrorMessage = null,
            NumPartitions = t.NumPartitions,
            ReplicationFactor = t.ReplicationFactor,
        }).ToList(),
    };

    private static byte[] Frame<T>(RequestHeader header, T body, short version)
        where T : IKafkaMessage<T>
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        writer.WriteInt32(0);
        ResponseHeader.Write(ref writer, header.CorrelationId, ResponseHeader.VersionFor(header.ApiKey, T.IsFlexible(version)));
        body.Write(ref writer, version);
        var bytes = buffer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length - 4);
        return bytes;
    }
}
