using Akka.Actor;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.Protocol.Group;
using ActorStream.TestKit;
using Google.Protobuf;

namespace ActorStream.Broker.Tests;

public sealed class BrokerEndpointSpec(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static string NewTopic() => "t-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Metadata_must_list_the_node_and_the_topics_partitions_with_leaders()
    {
        var topic = NewTopic();
        await fixture.CreateTopicAsync(topic, partitions: 3);
        var metadata = await fixture.Ask<MetadataResponse>(new MetadataRequest { Topics = { topic } });
        var broker = Assert.Single(metadata.Brokers);
        Assert.Equal(0, broker.NodeId);
        Assert.Equal(fixture.Node.Settings.Port, broker.Port);
        Assert.Equal(fixture.Node.ClusterId, metadata.ClusterId);
        var described = Assert.Single(metadata.Topics);
        Assert.Equal(3, described.Partitions.Count);
        Assert.All(described.Partitions, p => Assert.Equal([0], p.Replicas));
    }

    [Fact]
    public async Task Produce_must_assign_offsets_per_partition_and_fetch_must_return_them_in_order()
    {
        var topic = NewTopic();
        await fixture.CreateTopicAsync(topic, partitions: 2);
        Assert.Equal(0, (await fixture.ProduceAsync(topic, 0, NodeFixture.Batch(3, "a"))).BaseOffset);
        Assert.Equal(3, (await fixture.ProduceAsync(topic, 0, NodeFixture.Batch(2, "b"))).BaseOffset);
        Assert.Equal(0, (await fixture.ProduceAsync(topic, 1, NodeFixture.Batch(1, "c"), acks: 1)).BaseOffset);
        var fetched = await fixture.FetchAsync(topic, 0, 0);
        Assert.Equal(0, fetched.ErrorCode);
        Assert.Equal(5, fetched.HighWatermark);
        Assert.Equal(["a0", "a1", "a2", "b0", "b1"], NodeFixture.Values(fetched.Records));
    }

    [Fact]
    public async Task Unknown_topic_or_partition_must_be_reported_per_partition_without_failing_the_others()
    {
        var topic = NewTopic();
        await fixture.CreateTopicAsync(topic, partitions: 1);
        var response = await fixture.Ask<ProduceResponse>(new ProduceRequest
        {
            Acks = 1,
            TimeoutMs = 30_000,
            Partitions =
            {
                new ProducePartitionData { Topic = topic, Partition = 0, Records = NodeFixture.Batch(1) },
                new ProducePartitionData { Topic = topic, Partition = 7, Records = NodeFixture.Batch(1) },
                new ProducePartitionData { Topic = "no-such-topic", Partition = 0, Records = NodeFixture.Batch(1) },
            },
        });
        Assert.Equal([(int)ErrorCode.None, (int)ErrorCode.UnknownTopicOrPartition, (int)ErrorCode.UnknownTopicOrPartition], response.Partitions.Select(p => p.ErrorCode));
    }

    [Fact]
    public async Task FindCoordinator_must_name_this_node_once_the_group_coordinator_singleton_runs_here()
    {
        FindCoordinatorResponse? last = null;
        await Eventually.TrueAsync(
            async () => (last = await fixture.Ask<FindCoordinatorResponse>(new FindCoordinatorRequest())) is { ErrorCode: (int)ErrorCode.None, NodeId: 0 },
            TimeSpan.FromSeconds(30),
            "FindCoordinator answering node 0 on the only node");
        Assert.Equal(0, last!.NodeId);
    }

    [Fact]
    public async Task Metadata_for_an_unknown_topic_must_not_create_it_when_auto_create_is_off()
    {
        var metadata = await fixture.Ask<MetadataResponse>(new MetadataRequest { Topics = { "never-created" }, AllowAutoTopicCreation = true });
        Assert.Equal((int)ErrorCode.UnknownTopicOrPartition, Assert.Single(metadata.Topics).ErrorCode);
    }

    [Fact]
    public async Task Corrupt_and_oversized_batches_must_be_rejected_with_typed_errors_and_leave_the_log_intact()
    {
        var topic = NewTopic();
        await fixture.CreateTopicAsync(topic, configs: new Dictionary<string, string> { ["max.message.bytes"] = "2000" });
        await fixture.ProduceAsync(topic, 0, NodeFixture.Batch(2, "ok"));

        var corrupt = NodeFixture.Batch(2).ToByteArray();
        corrupt[^1] ^= 0xFF;
        Assert.Equal((int)ErrorCode.CorruptMessage, (await fixture.ProduceAsync(topic, 0, ByteString.CopyFrom(corrupt))).ErrorCode);
        Assert.Equal((int)ErrorCode.MessageTooLarge, (await fixture.ProduceAsync(topic, 0, NodeFixture.Batch(50, valueSize: 100))).ErrorCode);
        Assert.Equal((int)ErrorCode.CorruptMessage, (await fixture.ProduceAsync(topic, 0, ByteString.CopyFrom([1, 2, 3]))).ErrorCode);

        Assert.Equal(2, (await fixture.ProduceAsync(topic, 0, NodeFixture.Batch(1, "after"))).BaseOffset);
        Assert.Equal(["ok0", "ok1", "after0"], NodeFixture.Values((await fixture.FetchAsync(topic, 0, 0)).Records));
    }

    [Fact]
    public async Task Fetch_out_of_range_must_answer_OFFSET_OUT_OF_RANGE_with_the_log_bounds()
    {
        var topic = NewTopic();
        await fixture.CreateTopicAsync(topic);
        await fixture.ProduceAsync(topic, 0, NodeFixture.Batch(4));
        var fetched = await fixture.FetchAsync(topic, 0, 99);
        Assert.Equal((int)ErrorCode.OffsetOutOfRange, fetched.ErrorCode);
        Assert.Equal(4, fetched.HighWatermark);
        Assert.Equal(0, fetched.LogStartOffset);
    }

    [Fact]
    public async Task A_parked_fetch_must_be_woken_by_an_append()
    {
        var topic = NewTopic();
        await fixture.CreateTopicAsync(topic);
        // max wait far beyond the test's own timeout: only the wake-up on append can answer in time.
        var parked = fixture.Node.Endpoint.Ask<FetchResponse>(
            new FetchRequest { MaxWaitMs = 120_000, MinBytes = 1, Partitions = { new FetchPartition { Topic = topic, Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 } } },
            TimeSpan.FromSeconds(20));
        Assert.False(parked.IsCompleted);
        await fixture.ProduceAsync(topic, 0, NodeFixture.Batch(1, "wake"));
        var response = await parked;
        Assert.Equal(["wake0"], NodeFixture.Values(Assert.Single(response.Partitions).Records));
    }

    [Fact]
    public async Task A_fetch_must_answer_at_once_with_the_data_of_every_partition_that_has_some()
    {
        var topic = NewTopic();
        await fixture.CreateTopicAsync(topic, partitions: 4);
        for (var p = 0; p < 3; p++)
        {
            await fixture.ProduceAsync(topic, p, NodeFixture.Batch(2, $"p{p}-"));
        }

        var request = new FetchRequest { MaxWaitMs = 120_000, MinBytes = 1, MaxBytes = 1 << 20 };
        for (var p = 0; p < 4; p++)
        {
            request.Partitions.Add(new FetchPartition { Topic = topic, Partition = p, FetchOffset = 0, PartitionMaxBytes = 1 << 20 });
        }

        // The empty partition must not hold the answer back for max.wait.ms.
        var response = await fixture.Node.Endpoint.Ask<FetchResponse>(request, TimeSpan.FromSeconds(20));
        Assert.Equal([["p0-0", "p0-1"], ["p1-0", "p1-1"], ["p2-0", "p2-1"], []], response.Partitions.Select(p => NodeFixture.Values(p.Records)));
    }

    [Fact]
    public async Task A_fetch_with_nothing_new_must_answer_empty_when_the_wait_ends()
    {
        var topic = NewTopic();
        await fixture.CreateTopicAsync(topic);
        var fetched = await fixture.FetchAsync(topic, 0, 0, maxWaitMs: 200);
        Assert.Equal(0, fetched.ErrorCode);
        Assert.True(fetched.Records.IsEmpty);
    }

    [Fact]
    public async Task ListOffsets_must_answer_earliest_latest_and_by_timestamp()
    {
        var topic = NewTopic();
        await fixture.CreateTopicAsync(topic);
        await fixture.ProduceAsync(topic, 0, NodeFixture.Batch(5, timestamp: 10_000));
        await fixture.ProduceAsync(topic, 0, NodeFixture.Batch(5, timestamp: 20_000));
        var response = await fixture.Ask<ListOffsetsResponse>(new ListOffsetsRequest
        {
            Partitions =
            {
                new ListOffsetsPartition { Topic = topic, Partition = 0, Timestamp = -2 },
                new ListOffsetsPartition { Topic = topic, Partition = 0, Timestamp = -1 },
                new ListOffsetsPartition { Topic = topic, Partition = 0, Timestamp = 20_002 },
                new ListOffsetsPartition { Topic = topic, Partition = 0, Timestamp = 99_999 },
            },
        });
        Assert.Equal([0L, 10L, 7L, -1L], response.Partitions.Select(p => p.Offset));
    }

    [Fact]
    public async Task A_retried_idempotent_batch_must_be_stored_once_and_a_sequence_gap_rejected()
    {
        var topic = NewTopic();
        await fixture.CreateTopicAsync(topic);
        var producer = await fixture.Ask<InitProducerIdResponse>(new InitProducerIdRequest());
        Assert.True(producer.ProducerId >= 0);
        var batch = NodeFixture.Batch(3, "once", producer.ProducerId, (short)producer.ProducerEpoch, sequence: 0);
        var first = await fixture.ProduceAsync(topic, 0, batch);
        var retry = await fixture.ProduceAsync(topic, 0, NodeFixture.Batch(3, "once", producer.ProducerId, (short)producer.ProducerEpoch, sequence: 0));
        Assert.Equal(0, retry.ErrorCode);
        Assert.Equal(first.BaseOffset, retry.BaseOffset);

        var gap = await fixture.ProduceAsync(topic, 0, NodeFixture.Batch(1, "gap", producer.ProducerId, (short)producer.ProducerEpoch, sequence: 7));
        Assert.Equal((int)ErrorCode.OutOfOrderSequenceNumber, gap.ErrorCode);
        Assert.Equal(3, (await fixture.ProduceAsync(topic, 0, NodeFixture.Batch(1, "next", producer.ProducerId, (short)producer.ProducerEpoch, sequence: 3))).BaseOffset);
        Assert.Equal(["once0", "once1", "once2", "next0"], NodeFixture.Values((await fixture.FetchAsync(topic, 0, 0)).Records));
    }
}
