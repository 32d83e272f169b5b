using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Network;
using ActorStream.Protocol;
using ActorStream.Storage.Compression;
using ActorStream.Storage.Records;

namespace ActorStream.Kafka.Tests.DataPath;

/// <summary>
/// What real clients rarely send, through the real handlers in process: versions and codecs below their minimum,
/// transactional ids, fetch sessions, unknown topics and ids, acks=0 errors, auto-creation by Metadata.
/// </summary>
[Collection(KafkaDataNodeCollection.Name)]
public sealed class DataPathEdgeSpec(KafkaDataNode node)
{
    private static ProduceRequest Produce(string topic, byte[] batch, short acks = -1, string? transactionalId = null) => new()
    {
        Acks = acks,
        TimeoutMs = 30_000,
        TransactionalId = transactionalId,
        TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
    };

    private static byte[] Batch(CompressionType compression = CompressionType.None)
    {
        using var builder = new RecordBatchBuilder(compression);
        builder.Append(1_700_000_000_000, null, "value"u8.ToArray());
        return builder.Build();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Produce_below_v3_answers_UNSUPPORTED_VERSION_per_partition(short version)
    {
        var topic = await node.CreateTopicAsync("produce-v" + version);
        var response = await node.CallAsync<ProduceRequest, ProduceResponse>(Produce(topic, Batch()), version);
        var partition = Assert.Single(Assert.Single(response!.Responses).PartitionResponses);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, partition.ErrorCode);
        Assert.Empty(await node.StoredBatchesAsync(topic));
    }

    [Fact]
    public async Task Produce_answers_each_partition_on_its_own()
    {
        var topic = await node.CreateTopicAsync("produce-mixed");
        var request = Produce(topic, Batch());
        request.TopicData[0].PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = 5, Records = Batch() });
        request.TopicData.Add(new ProduceRequest.TopicProduceData { Name = "no-such-topic-" + Guid.NewGuid().ToString("N"), PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = Batch() }] });
        var response = await node.CallAsync<ProduceRequest, ProduceResponse>(request, 9);
        Assert.Equal([(short)0, (short)ErrorCode.UnknownTopicOrPartition], response!.Responses[0].PartitionResponses.Select(p => p.ErrorCode));
        Assert.Equal(0, response.Responses[0].PartitionResponses[0].BaseOffset);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Responses[1].PartitionResponses[0].ErrorCode);
    }

    [Fact]
    public async Task Zstd_needs_Produce_v7_and_Fetch_v10()
    {
        var topic = await node.CreateTopicAsync("zstd-versions");
        var old = await node.CallAsync<ProduceRequest, ProduceResponse>(Produce(topic, Batch(CompressionType.Zstd)), 6);
        Assert.Equal((short)ErrorCode.UnsupportedCompressionType, old!.Responses[0].PartitionResponses[0].ErrorCode);
        var ok = await node.CallAsync<ProduceRequest, ProduceResponse>(Produce(topic, Batch(CompressionType.Zstd)), 7);
        Assert.Equal(0, ok!.Responses[0].PartitionResponses[0].ErrorCode);

        FetchRequest Fetch() => new()
        {
            MaxWaitMs = 0,
            Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }] }],
        };
        var v9 = await node.CallAsync<FetchRequest, FetchResponse>(Fetch(), 9);
        Assert.Equal((short)ErrorCode.UnsupportedCompressionType, v9!.Responses[0].Partitions[0].ErrorCode);
        var v10 = await node.CallAsync<FetchRequest, FetchResponse>(Fetch(), 10);
        var data = v10!.Responses[0].Partitions[0];
        Assert.Equal(0, data.ErrorCode);
        Assert.Equal(CompressionType.Zstd, RecordBatchHeader.Read(data.Records!.Value.Span).Compression);
        Assert.Equal(1, data.HighWatermark);
        Assert.Equal(data.HighWatermark, data.LastStableOffset);
    }

    [Fact]
    public async Task Transactional_producers_get_TRANSACTIONAL_ID_AUTHORIZATION_FAILED()
    {
        var topic = await node.CreateTopicAsync("txn");
        var produce = await node.CallAsync<ProduceRequest, ProduceResponse>(Produce(topic, Batch(), transactionalId: "tx-1"), 9);
        Assert.Equal((short)ErrorCode.TransactionalIdAuthorizationFailed, produce!.Responses[0].PartitionResponses[0].ErrorCode);
        var init = await node.CallAsync<InitProducerIdRequest, InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = "tx-1", TransactionTimeoutMs = 60_000 }, 4);
        Assert.Equal((short)ErrorCode.TransactionalIdAuthorizationFailed, init!.ErrorCode);
        var find = await node.CallAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { KeyType = 1, CoordinatorKeys = ["tx-1"] }, 4);
        Assert.Equal((short)ErrorCode.TransactionalIdAuthorizationFailed, Assert.Single(find!.Coordinators).ErrorCode);
    }

    [Fact]
    public async Task InitProducerId_hands_out_distinct_producer_ids()
    {
        var first = await node.CallAsync<InitProducerIdRequest, InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = null }, 4);
        var second = await node.CallAsync<InitProducerIdRequest, InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = null }, 0);
        Assert.Equal((0, 0), (first!.ErrorCode, second!.ErrorCode));
        Assert.NotEqual(first.ProducerId, second.ProducerId);
        Assert.True(first.ProducerId >= 0);
    }

    [Fact]
    public async Task FindCoordinator_names_this_node_at_its_Kafka_address_once_the_coordinator_runs_here()
    {
        await Eventually.AssertAsync(async () =>
        {
            var v3 = await node.CallAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { Key = "group-a" }, 3);
            Assert.Equal(0, v3!.ErrorCode);
            Assert.Equal(node.Node.Settings.NodeId, v3.NodeId);
            Assert.Equal(node.Bootstrap, $"{v3.Host}:{v3.Port}");
        }, KafkaDataNode.Timeout);
        var v4 = await node.CallAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { KeyType = 0, CoordinatorKeys = ["g1", "g2"] }, 4);
        Assert.Equal(["g1", "g2"], v4!.Coordinators.Select(c => c.Key));
        Assert.All(v4.Coordinators, c => Assert.Equal((0, node.Node.Settings.NodeId), (c.ErrorCode, c.NodeId)));
    }

    [Fact]
    public async Task An_incremental_fetch_session_is_not_found_and_a_full_fetch_gets_session_id_0()
    {
        var topic = await node.CreateTopicAsync("session");
        var incremental = await node.CallAsync<FetchRequest, FetchResponse>(new FetchRequest { SessionId = 42, SessionEpoch = 3 }, 12);
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, incremental!.ErrorCode);
        var full = await node.CallAsync<FetchRequest, FetchResponse>(new FetchRequest
        {
            SessionId = 0,
            SessionEpoch = 0,
            MaxWaitMs = 0,
            Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, PartitionMaxBytes = 1024 }] }],
        }, 12);
        Assert.Equal((0, 0), (full!.ErrorCode, full.SessionId));
        Assert.Equal(0, full.Responses[0].Partitions[0].HighWatermark);
        Assert.Equal(-1, full.Responses[0].Partitions[0].PreferredReadReplica);
    }

    [Fact]
    public async Task Fetch_v13_names_topics_by_id_and_an_unknown_id_gets_UNKNOWN_TOPIC_ID()
    {
        var topic = await node.CreateTopicAsync("fetch-ids");
        var metadata = await node.CallAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }] }, 12);
        var id = metadata!.Topics[0].TopicId;
        Assert.NotEqual(Guid.Empty, id);
        await node.CallAsync<ProduceRequest, ProduceResponse>(Produce(topic, Batch()), 9);

        var response = await node.CallAsync<FetchRequest, FetchResponse>(new FetchRequest
        {
            MaxWaitMs = 0,
            Topics =
            [
                new FetchRequest.FetchTopic { TopicId = id, Partitions = [new FetchRequest.FetchPartition { Partition = 0, PartitionMaxBytes = 1 << 20 }] },
                new FetchRequest.FetchTopic { TopicId = Guid.NewGuid(), Partitions = [new FetchRequest.FetchPartition { Partition = 0, PartitionMaxBytes = 1 << 20 }] },
            ],
        }, 13);
        Assert.Equal(id, response!.Responses[0].TopicId);
        Assert.Equal((0, 1L), (response.Responses[0].Partitions[0].ErrorCode, response.Responses[0].Partitions[0].HighWatermark));
        Assert.False(response.Responses[0].Partitions[0].Records!.Value.IsEmpty);
        Assert.Equal((short)ErrorCode.UnknownTopicId, response.Responses[1].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task A_failed_acks_0_produce_closes_the_connection_and_a_good_one_sends_no_response()
    {
        var topic = await node.CreateTopicAsync("acks0");
        Assert.Null(await node.CallAsync<ProduceRequest, ProduceResponse>(Produce(topic, Batch(), acks: 0), 9));
        Assert.Single(await node.StoredBatchesAsync(topic));
        await Assert.ThrowsAsync<KafkaCloseConnectionException>(() => node.CallAsync<ProduceRequest, ProduceResponse>(Produce("no-such-topic-" + Guid.NewGuid().ToString("N"), Batch(), acks: 0), 9));
    }

    [Fact]
    public async Task Metadata_auto_creates_when_allowed_and_reports_invalid_and_unknown_topics()
    {
        var created = KafkaDataNode.UniqueTopic("auto");
        var unknown = KafkaDataNode.UniqueTopic("noauto");
        var response = await node.CallAsync<MetadataRequest, MetadataResponse>(new MetadataRequest
        {
            AllowAutoTopicCreation = true,
            Topics = [new() { Name = created }, new() { Name = "bad/name" }],
        }, 9);
        Assert.Equal([created, "bad/name"], response!.Topics.Select(t => t.Name));
        Assert.Equal(0, response.Topics[0].ErrorCode);
        Assert.NotEmpty(response.Topics[0].Partitions);
        Assert.Equal((short)ErrorCode.InvalidTopicException, response.Topics[1].ErrorCode);
        Assert.Equal(node.Node.Settings.NodeId, Assert.Single(response.Brokers).NodeId);
        Assert.Equal(node.Node.Settings.NodeId, response.ControllerId);
        Assert.Equal(node.Node.ClusterId, response.ClusterId);
        Assert.Null(response.Brokers[0].Rack);

        var denied = await node.CallAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { AllowAutoTopicCreation = false, Topics = [new() { Name = unknown }] }, 12);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, denied!.Topics[0].ErrorCode);
        var byId = await node.CallAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [new() { Name = null, TopicId = Guid.NewGuid() }] }, 12);
        Assert.Equal((short)ErrorCode.UnknownTopicId, byId!.Topics[0].ErrorCode);
        Assert.Null(byId.Topics[0].Name);
    }

    [Fact]
    public async Task ListOffsets_answers_earliest_latest_and_earliest_local()
    {
        var topic = await node.CreateTopicAsync("list-offsets");
        for (var i = 0; i < 3; i++)
        {
            await node.CallAsync<ProduceRequest, ProduceResponse>(Produce(topic, Batch()), 9);
        }

        ListOffsetsRequest Request(long timestamp) => new()
        {
            ReplicaId = -1,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = timestamp }] }],
        };
        var offsets = new List<long>();
        foreach (var timestamp in new long[] { -2, -1, -4 })
        {
            var response = await node.CallAsync<ListOffsetsRequest, ListOffsetsResponse>(Request(timestamp), 8);
            var partition = response!.Topics[0].Partitions[0];
            Assert.Equal(0, partition.ErrorCode);
            offsets.Add(partition.Offset);
        }

        Assert.Equal([0L, 3L, 0L], offsets);
    }

    [Fact]
    public async Task Leader_epochs_come_back_and_a_newer_current_epoch_is_UNKNOWN_LEADER_EPOCH()
    {
        var topic = await node.CreateTopicAsync("epochs");
        for (var i = 0; i < 3; i++)
        {
            await node.CallAsync<ProduceRequest, ProduceResponse>(Produce(topic, Batch()), 9);
        }

        var metadata = await node.CallAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [new() { Name = topic }] }, 12);
        var epoch = metadata!.Topics[0].Partitions[0].LeaderEpoch;
        Assert.True(epoch >= 0);

        var end = await node.CallAsync<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>(new OffsetForLeaderEpochRequest
        {
            ReplicaId = -1,
            Topics = [new() { Topic = topic, Partitions = [new() { Partition = 0, CurrentLeaderEpoch = epoch, LeaderEpoch = epoch }] }],
        }, 4);
        var endOffset = end!.Topics[0].Partitions[0];
        Assert.Equal((0, epoch, 3L), (endOffset.ErrorCode, endOffset.LeaderEpoch, endOffset.EndOffset));

        ListOffsetsRequest Latest(int currentEpoch, long timestamp = -1) => new()
        {
            ReplicaId = -1,
            Topics = [new() { Name = topic, Partitions = [new() { PartitionIndex = 0, CurrentLeaderEpoch = currentEpoch, Timestamp = timestamp }] }],
        };
        var latest = (await node.CallAsync<ListOffsetsRequest, ListOffsetsResponse>(Latest(epoch), 8))!.Topics[0].Partitions[0];
        Assert.Equal((0, 3L), (latest.ErrorCode, latest.Offset));
        var maxTimestamp = (await node.CallAsync<ListOffsetsRequest, ListOffsetsResponse>(Latest(epoch, timestamp: -3), 8))!.Topics[0].Partitions[0];
        Assert.Equal(0, maxTimestamp.ErrorCode);
        Assert.Equal(1_700_000_000_000, maxTimestamp.Timestamp);
        Assert.Equal(epoch, maxTimestamp.LeaderEpoch);
        var future = (await node.CallAsync<ListOffsetsRequest, ListOffsetsResponse>(Latest(epoch + 1), 8))!.Topics[0].Partitions[0];
        Assert.Equal((short)ErrorCode.UnknownLeaderEpoch, future.ErrorCode);

        var fetch = await node.CallAsync<FetchRequest, FetchResponse>(new FetchRequest
        {
            MaxWaitMs = 0,
            Topics = [new() { Topic = topic, Partitions = [new() { Partition = 0, CurrentLeaderEpoch = epoch + 1, PartitionMaxBytes = 1 << 20 }] }],
        }, 12);
        Assert.Equal((short)ErrorCode.UnknownLeaderEpoch, fetch!.Responses[0].Partitions[0].ErrorCode);
    }
}
