using System.Text;
using Akka.Actor;
using Akka.Configuration;
using ActorStream.Broker.Logs;
using ActorStream.Broker.Replication;
using ActorStream.Protocol.Client;
using ActorStream.Storage.Log;
using ActorStream.Storage.Records;
using ActorStream.TestKit;
using Google.Protobuf;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// The replica fetcher alone, following two partitions of one leader: a <see cref="FakeLeaderEndpoint"/> plays the
/// leader's endpoint and answers the fetches with real RecordBatch v2 bytes, the LogManager is real (segment files in
/// a temp dir). A batch damaged on the way (Kafka's ReplicaFetcherThread: "Found invalid messages during fetch") must
/// be refused for its partition only: nothing of that partition's response reaches the disk, the fetcher logs the
/// partition and offset, keeps its state, replicates the other partition as usual, fetches the damaged partition
/// again from the same offset after the backoff, and catches up once the leader sends good bytes.
/// </summary>
public sealed class ReplicaFetcherCorruptBatchSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const string Topic = "orders";
    private const string TopicId = "fedcba9876543210fedcba9876543210";
    private const int LeaderId = 1;
    private const int LeaderEpoch = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-fetcher", Guid.NewGuid().ToString("N"));
    private readonly BrokerSettings _settings;
    private readonly IActorRef _logManager;

    public ReplicaFetcherCorruptBatchSpec()
        : base(ConfigurationFactory.ParseString("akka.loglevel = WARNING"))
    {
        _settings = BrokerSettings.Create(TestNode.Config(_dir).GetConfig("actorstream.broker"));
        _logManager = Sys.ActorOf(LogManager.Props(_settings), "log-manager");
    }

    public new void Dispose()
    {
        Shutdown();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public Task A_batch_with_a_bad_CRC_must_be_refused_for_its_partition_only_and_heal_when_the_leader_sends_it_again() =>
        RefuseAndHealAsync(good =>
        {
            var damaged = good.ToArray();
            damaged[^3] ^= 0xFF; // inside the last record: the batch's CRC no longer matches
            return damaged;
        });

    [Fact]
    public Task A_damaged_length_in_a_batch_the_follower_already_holds_must_be_refused_the_same_way() =>
        RefuseAndHealAsync(good =>
        {
            // The leader may start a response at a batch the follower has (the first may start before the fetch
            // offset); that batch's length field, outside the CRC, is damaged and points far past the response.
            var held = Batch(0, "b0", "b1", "b2");
            held[RecordBatch.LengthOffset] ^= 0x40;
            return [.. held, .. good];
        });

    /// <param name="damage">Turns the good batch of partition 1 at offset 3 into what arrives over the wire.</param>
    private async Task RefuseAndHealAsync(Func<byte[], byte[]> damage)
    {
        var leader = new FakeLeaderEndpoint(this);
        var fetcher = Sys.ActorOf(ReplicaFetcher.Props(_settings, _logManager, LeaderId), $"fetcher-{LeaderId}");
        fetcher.Tell(new ReplicaFetcher.Follow(leader.Endpoint, [Followed(0), Followed(1)]));

        // Both copies start empty and get their first three records.
        var first = await leader.ExpectFetchAsync(f => FetchOffsets(f) == (0, 0), Timeout);
        Assert.Equal(_settings.NodeId, first.Request.ReplicaId);
        first.Reply(Data(0, Batch(0, "a0", "a1", "a2")), Data(1, Batch(0, "b0", "b1", "b2")));

        // Then partition 1's next batch is damaged on the way; it comes first in the response, partition 0's good
        // batch after it must still be appended.
        var second = await leader.ExpectFetchAsync(f => FetchOffsets(f) == (3, 3), Timeout);
        Assert.Equal(LeaderEpoch, second.Partition(1).LastFetchedEpoch);
        await EventFilter.Error(contains: $"{Topic}-1: refused the leader's records from offset 3").ExpectOneAsync(Timeout, () =>
        {
            second.Reply(Data(1, damage(Batch(3, "b3", "b4", "b5"))), Data(0, Batch(3, "a3", "a4", "a5")));
            return Task.CompletedTask;
        });

        await AwaitAssertAsync(() =>
        {
            Assert.Equal(6, LogEndOnDisk(0));
            Assert.Equal(3, LogEndOnDisk(1));
        }, Timeout);

        // The same fetcher (state kept, not restarted) fetches partition 1 again, after its backoff, from where its
        // good data ends, and keeps partition 0 where it is.
        var retry = await leader.ExpectFetchAsync(f => f.Partitions.Any(p => p.Partition == 1), Timeout);
        Assert.Equal((6, 3), FetchOffsets(retry.Request));
        Assert.Equal(LeaderEpoch, retry.Partition(1).LastFetchedEpoch);
        Assert.Equal(3, LogEndOnDisk(1));

        // The leader sends good bytes this time: the copy catches up.
        retry.Reply(Data(1, Batch(3, "b3", "b4", "b5")), Data(0, Batch(6, "a6")));
        await leader.ExpectFetchAsync(f => FetchOffsets(f) == (7, 6), Timeout);
        Assert.Equal(7, LogEndOnDisk(0));
        Assert.Equal(6, LogEndOnDisk(1));
        Assert.Equal(["a0", "a1", "a2", "a3", "a4", "a5", "a6"], Values(0));
        Assert.Equal(["b0", "b1", "b2", "b3", "b4", "b5"], Values(1));
    }

    private static FollowedPartition Followed(int partition) =>
        new(TopicId, Topic, partition, LeaderId, LeaderEpoch, new Dictionary<string, string>());

    /// <summary>The fetch offsets of both partitions, or (-1, -1) when the request does not hold both.</summary>
    private static (long Partition0, long Partition1) FetchOffsets(FetchRequest request) =>
        request.Partitions.Count == 2 && request.Partitions.SingleOrDefault(p => p.Partition == 0) is { } p0 && request.Partitions.SingleOrDefault(p => p.Partition == 1) is { } p1
            ? (p0.FetchOffset, p1.FetchOffset)
            : (-1, -1);

    /// <summary>A batch as the leader stored it: its offsets from <paramref name="baseOffset"/>, stamped with the leader's epoch.</summary>
    private static byte[] Batch(long baseOffset, params string[] values)
    {
        using var builder = new RecordBatchBuilder();
        foreach (var value in values)
        {
            builder.Append(1000, null, Encoding.UTF8.GetBytes(value));
        }

        var batch = builder.Build();
        RecordBatch.SetBaseOffset(batch, baseOffset);
        RecordBatch.SetPartitionLeaderEpoch(batch, LeaderEpoch);
        return batch;
    }

    private static FetchPartitionResponse Data(int partition, byte[] records) => new()
    {
        Topic = Topic,
        Partition = partition,
        HighWatermark = 0,
        Records = ByteString.CopyFrom(records),
    };

    /// <summary>
    /// Walks the partition's segment files as they are on disk (shared with the open log) and checks every batch:
    /// length, magic, CRC and contiguous offsets from 0, with no byte after the last batch. Returns the end offset.
    /// </summary>
    private long LogEndOnDisk(int partition)
    {
        var dir = Path.Combine(_settings.LogsDir, LogManager.DirectoryName(Topic, partition, TopicId));
        long next = 0;
        foreach (var file in Directory.GetFiles(dir, "*" + LogFileUtils.LogSuffix).Order(StringComparer.Ordinal))
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }

            for (var position = 0; position < bytes.Length;)
            {
                var header = RecordBatch.Validate(bytes.AsSpan(position));
                Assert.Equal(next, header.BaseOffset);
                next = header.NextOffset;
                position += header.SizeInBytes;
            }
        }

        return next;
    }

    private List<string> Values(int partition) =>
        ReplicaCopy.Read(_settings.DataDir, Topic, partition, TopicId).Select(r => r.Value).ToList();
}
