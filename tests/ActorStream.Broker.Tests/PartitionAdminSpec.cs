using Akka.Actor;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.TestKit;
using BrokerNode = ActorStream.Broker.Hosting.BrokerNode;

namespace ActorStream.Broker.Tests;

/// <summary>
/// DeleteRecords, OffsetForLeaderEpoch, ListOffsets (-3, -4, leader epochs, fencing), consumer Fetch fencing and
/// DescribeLogDirs through a real node's endpoint; DeleteRecords and the leader epoch history across a restart.
/// </summary>
public sealed class PartitionAdminSpec : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-partition-admin", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static Task<T> Ask<T>(BrokerNode node, object request) => node.Endpoint.Ask<T>(request, NodeFixture.Timeout);

    private static async Task CreateAsync(BrokerNode node, string topic)
    {
        var created = await Ask<CreateTopicsResponse>(node, new CreateTopicsRequest { Topics = { new CreatableTopic { Name = topic, NumPartitions = 1, ReplicationFactor = 1 } } });
        Assert.Equal(0, created.Results.Single().ErrorCode);
    }

    private static async Task<long> ProduceAsync(BrokerNode node, string topic, Google.Protobuf.ByteString batch)
    {
        var response = await Ask<ProduceResponse>(node, new ProduceRequest { Acks = -1, TimeoutMs = 30_000, Partitions = { new ProducePartitionData { Topic = topic, Partition = 0, Records = batch } } });
        Assert.Equal(0, response.Partitions.Single().ErrorCode);
        return response.Partitions.Single().BaseOffset;
    }

    private static async Task<ListOffsetsPartitionResponse> ListOffsetAsync(BrokerNode node, string topic, long timestamp, int? currentLeaderEpoch = null)
    {
        var partition = new ListOffsetsPartition { Topic = topic, Partition = 0, Timestamp = timestamp };
        if (currentLeaderEpoch is { } epoch)
        {
            partition.CurrentLeaderEpoch = epoch;
        }

        return (await Ask<ListOffsetsResponse>(node, new ListOffsetsRequest { Partitions = { partition } })).Partitions.Single();
    }

    private static async Task<OffsetForLeaderEpochPartitionResult> OffsetForEpochAsync(BrokerNode node, string topic, int leaderEpoch, int? currentLeaderEpoch = null)
    {
        var partition = new OffsetForLeaderEpochPartition { Topic = topic, Partition = 0, LeaderEpoch = leaderEpoch };
        if (currentLeaderEpoch is { } epoch)
        {
            partition.CurrentLeaderEpoch = epoch;
        }

        return (await Ask<OffsetForLeaderEpochResponse>(node, new OffsetForLeaderEpochRequest { Partitions = { partition } })).Partitions.Single();
    }

    private static async Task<DeleteRecordsPartitionResult> DeleteRecordsAsync(BrokerNode node, string topic, long offset) =>
        (await Ask<DeleteRecordsResponse>(node, new DeleteRecordsRequest { Partitions = { new DeleteRecordsPartition { Topic = topic, Partition = 0, Offset = offset } } })).Partitions.Single();

    private static async Task<int> LeaderEpochAsync(BrokerNode node, string topic)
    {
        var metadata = await Ask<MetadataResponse>(node, new MetadataRequest { Topics = { topic } });
        return metadata.Topics.Single().Partitions.Single().LeaderEpoch;
    }

    [Fact]
    public async Task DeleteRecords_and_the_leader_epoch_history_must_survive_a_restart()
    {
        const string topic = "admin";
        int port;
        int firstEpoch;
        await using (var node = await TestNode.StartAsync(_dir))
        {
            port = node.Settings.Port;
            await CreateAsync(node, topic);
            await ProduceAsync(node, topic, NodeFixture.Batch(4, "a", timestamp: 1000));
            await ProduceAsync(node, topic, NodeFixture.Batch(3, "max", timestamp: 9000));
            await ProduceAsync(node, topic, NodeFixture.Batch(3, "b", timestamp: 2000));
            firstEpoch = await LeaderEpochAsync(node, topic);

            // MAX_TIMESTAMP: the first record with the largest timestamp (offset 6 holds 9002), with its leader epoch.
            var max = await ListOffsetAsync(node, topic, -3);
            Assert.Equal((0, 6L, 9002L, firstEpoch), (max.ErrorCode, max.Offset, max.Timestamp, max.LeaderEpoch));
            var latest = await ListOffsetAsync(node, topic, -1);
            Assert.Equal((10L, firstEpoch), (latest.Offset, latest.LeaderEpoch));

            Assert.Equal((int)ErrorCode.OffsetOutOfRange, (await DeleteRecordsAsync(node, topic, 11)).ErrorCode);
            var deleted = await DeleteRecordsAsync(node, topic, 4);
            Assert.Equal((0, 4L), (deleted.ErrorCode, deleted.LowWatermark));
            Assert.Equal(4, (await ListOffsetAsync(node, topic, -2)).Offset);
            Assert.Equal(4, (await ListOffsetAsync(node, topic, -4)).Offset);
            var fetched = (await Ask<FetchResponse>(node, new FetchRequest { Partitions = { new FetchPartition { Topic = topic, Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 } } })).Partitions.Single();
            Assert.Equal(((int)ErrorCode.OffsetOutOfRange, 4L), (fetched.ErrorCode, fetched.LogStartOffset));
            // Asking for an offset already deleted changes nothing.
            Assert.Equal(4, (await DeleteRecordsAsync(node, topic, 2)).LowWatermark);

            var altered = await Ask<AlterConfigsResponse>(node, new AlterConfigsRequest
            {
                Incremental = true,
                Resources = { new AlterConfigsResource { ResourceType = Configs.ConfigResourceType.Topic, ResourceName = topic, Configs = { new AlterableConfig { Name = "retention.ms", Value = "86400000" } } } },
            });
            Assert.Equal(0, altered.Results.Single().ErrorCode);
        }

        await using var restarted = await TestNode.StartAsync(_dir, port);
        await Eventually.TrueAsync(async () => (await ListOffsetAsync(restarted, topic, -2)).ErrorCode == 0, NodeFixture.Timeout, "the partition leads again");
        Assert.Equal(4, (await ListOffsetAsync(restarted, topic, -2)).Offset);
        var metadata = await Ask<MetadataResponse>(restarted, new MetadataRequest { Topics = { topic } });
        Assert.Equal("86400000", metadata.Topics.Single().Configs["retention.ms"]);
        var epoch = await LeaderEpochAsync(restarted, topic);
        Assert.True(epoch > firstEpoch, $"a restart starts a new leader epoch: {epoch} after {firstEpoch}");
        await ProduceAsync(restarted, topic, NodeFixture.Batch(2, "c"));

        // KIP-320: the old epoch ended where the new one started; the current one ends at the log end.
        Assert.Equal((0, firstEpoch, 10L), Result(await OffsetForEpochAsync(restarted, topic, firstEpoch)));
        Assert.Equal((0, epoch, 12L), Result(await OffsetForEpochAsync(restarted, topic, epoch, currentLeaderEpoch: epoch)));
        Assert.Equal((0, -1, -1L), Result(await OffsetForEpochAsync(restarted, topic, epoch + 5)));
        Assert.Equal((int)ErrorCode.FencedLeaderEpoch, (await OffsetForEpochAsync(restarted, topic, firstEpoch, currentLeaderEpoch: firstEpoch)).ErrorCode);
        Assert.Equal((int)ErrorCode.UnknownLeaderEpoch, (await OffsetForEpochAsync(restarted, topic, epoch, currentLeaderEpoch: epoch + 1)).ErrorCode);
        Assert.Equal((int)ErrorCode.FencedLeaderEpoch, (await ListOffsetAsync(restarted, topic, -1, currentLeaderEpoch: firstEpoch)).ErrorCode);
        Assert.Equal(0, (await ListOffsetAsync(restarted, topic, -1, currentLeaderEpoch: epoch)).ErrorCode);
        // The records before the restart keep the epoch that wrote them.
        Assert.Equal(firstEpoch, (await ListOffsetAsync(restarted, topic, -3)).LeaderEpoch);

        var fenced = (await Ask<FetchResponse>(restarted, new FetchRequest { Partitions = { new FetchPartition { Topic = topic, Partition = 0, FetchOffset = 4, PartitionMaxBytes = 1 << 20, CurrentLeaderEpoch = epoch + 1 } } })).Partitions.Single();
        Assert.Equal((int)ErrorCode.UnknownLeaderEpoch, fenced.ErrorCode);
        var current = (await Ask<FetchResponse>(restarted, new FetchRequest { Partitions = { new FetchPartition { Topic = topic, Partition = 0, FetchOffset = 4, PartitionMaxBytes = 1 << 20, CurrentLeaderEpoch = epoch } } })).Partitions.Single();
        Assert.Equal(0, current.ErrorCode);
        Assert.Equal("max0", NodeFixture.Values(current.Records)[0]);

        // DescribeLogDirs: this node's log dir, the partition's size on disk, no lag for a leader.
        var dirs = await Ask<DescribeLogDirsResponse>(restarted, new DescribeLogDirsRequest());
        Assert.Equal((0, 0, restarted.Settings.LogsDir), (dirs.ErrorCode, dirs.NodeId, dirs.LogDir));
        Assert.True(dirs.TotalBytes > 0 && dirs.UsableBytes > 0 && dirs.UsableBytes <= dirs.TotalBytes, $"total {dirs.TotalBytes}, usable {dirs.UsableBytes}");
        var replica = Assert.Single(dirs.Partitions, p => p.Topic == topic);
        Assert.Equal((0, 0L, false), (replica.Partition, replica.OffsetLag, replica.IsFuture));
        var segments = Directory.GetFiles(Path.Combine(restarted.Settings.LogsDir), "*.log", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.Equal(segments, replica.Size);
        var filtered = await Ask<DescribeLogDirsResponse>(restarted, new DescribeLogDirsRequest { Topics = { new DescribeLogDirsTopic { Topic = "other" } } });
        Assert.Empty(filtered.Partitions);
    }

    private static (int, int, long) Result(OffsetForLeaderEpochPartitionResult r) => (r.ErrorCode, r.LeaderEpoch, r.EndOffset);
}
