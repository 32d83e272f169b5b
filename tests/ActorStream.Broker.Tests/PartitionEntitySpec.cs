using ActorStream.TestKit;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.TestKit;
using ActorStream.Broker.Logs;
using ActorStream.Broker.Partition;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Storage.Records;

namespace ActorStream.Broker.Tests;

/// <summary>
/// The partition entity alone: a probe plays the controller and the sharding parent, the LogManager is real
/// (segment files in a temp dir), the journal is the in-memory test journal.
/// </summary>
public sealed class PartitionEntitySpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const string TopicId = "0123456789abcdef0123456789abcdef";
    private static readonly string EntityId = new PartitionEntityId(TopicId, 0).ToString();

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-entity", Guid.NewGuid().ToString("N"));
    private readonly BrokerSettings _settings;
    private readonly IActorRef _logManager;
    private readonly TestProbe _controller;
    private readonly TestProbe _shard;

    public PartitionEntitySpec()
        : base(ConfigurationFactory.ParseString("""
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            akka.loglevel = WARNING
            """).WithFallback(ActorStream.Protocol.ProtocolConfig.Default))
    {
        _settings = BrokerSettings.Create(TestNode.Config(_dir).GetConfig("actorstream.broker"));
        _logManager = Sys.ActorOf(LogManager.Props(_settings), "log-manager");
        _controller = CreateTestProbe("controller");
        _shard = CreateTestProbe("shard");
    }

    public new void Dispose()
    {
        Shutdown();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private IActorRef StartEntity() => _shard.ChildActorOf(PartitionEntity.Props(EntityId, _settings, _logManager, _controller.Ref));

    private async Task ElectAsync(int epoch, int[]? isr = null)
    {
        var elect = await _controller.ExpectMsgAsync<ElectLeader>();
        Assert.Equal((TopicId, 0, 0), (elect.TopicId, elect.Partition, elect.NodeId));
        isr ??= [0];
        var topic = new TopicState { Name = "orders", TopicId = TopicId, ReplicationFactor = isr.Length };
        topic.Partitions.Add(new PartitionAssignment { Partition = 0, Replicas = { isr }, Isr = { isr }, LeaderId = 0, LeaderEpoch = epoch });
        _controller.Reply(new LeaderElected { Topic = topic, LeaderEpoch = epoch });
    }

    private static PartitionAppend Append(int records, int acks = -1, long producerId = -1, int sequence = -1) =>
        new() { EntityId = EntityId, Acks = acks, TimeoutMs = 1000, Records = NodeFixture.Batch(records, producerId: producerId, epoch: (short)(producerId >= 0 ? 0 : -1), sequence: sequence) };

    [Fact]
    public async Task Appends_before_the_election_must_be_stashed_and_served_after_it_with_the_elected_epoch()
    {
        var entity = StartEntity();
        entity.Tell(Append(3), TestActor);
        await ElectAsync(epoch: 4);
        var result = await ExpectMsgAsync<PartitionAppendResult>();
        Assert.Equal((0, 0L), (result.ErrorCode, result.BaseOffset));

        entity.Tell(new PartitionFetch { EntityId = EntityId, FetchOffset = 0, MaxBytes = 1 << 20 }, TestActor);
        var fetched = await ExpectMsgAsync<PartitionFetchResult>();
        var batch = Assert.Single(RecordBatchReader.ReadBatches(fetched.Records.Memory));
        Assert.Equal(4, batch.Header.PartitionLeaderEpoch);
        Assert.Equal(3, fetched.HighWatermark);
    }

    [Fact]
    public async Task Acks_0_must_get_no_reply_but_the_records_must_be_stored()
    {
        var entity = StartEntity();
        await ElectAsync(epoch: 0);
        entity.Tell(Append(2, acks: 0), TestActor);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        entity.Tell(new PartitionListOffset { EntityId = EntityId, Timestamp = -1 }, TestActor);
        Assert.Equal(2, (await ExpectMsgAsync<PartitionListOffsetResult>()).Offset);
    }

    [Fact]
    public async Task A_restarted_entity_must_ask_for_a_new_epoch_continue_its_offsets_and_still_recognise_a_retried_batch()
    {
        var entity = StartEntity();
        await ElectAsync(epoch: 1);
        entity.Tell(Append(3, producerId: 42, sequence: 0), TestActor);
        Assert.Equal(0, (await ExpectMsgAsync<PartitionAppendResult>()).BaseOffset);
        await WatchAsync(entity);
        entity.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(entity);

        var restarted = StartEntity();
        await ElectAsync(epoch: 2);
        restarted.Tell(Append(3, producerId: 42, sequence: 0), TestActor);
        var duplicate = await ExpectMsgAsync<PartitionAppendResult>();
        Assert.Equal((0, 0L), (duplicate.ErrorCode, duplicate.BaseOffset));
        restarted.Tell(Append(1, producerId: 42, sequence: 3), TestActor);
        Assert.Equal(3, (await ExpectMsgAsync<PartitionAppendResult>()).BaseOffset);
    }

    [Fact]
    public async Task A_new_leader_whose_high_watermark_lags_its_epoch_start_must_refuse_latest_offsets_until_the_follower_has_fetched()
    {
        // Node 1 is in the ISR but never fetches: acks=1 records stay above the high watermark.
        var entity = StartEntity();
        await ElectAsync(epoch: 1, isr: [0, 1]);
        entity.Tell(Append(5, acks: 1), TestActor);
        Assert.Equal(0, (await ExpectMsgAsync<PartitionAppendResult>()).BaseOffset);
        await WatchAsync(entity);
        entity.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(entity);

        // The next incarnation starts its epoch at offset 5 with an older high watermark (KIP-207).
        var leader = StartEntity();
        await ElectAsync(epoch: 2, isr: [0, 1]);
        leader.Tell(new PartitionListOffset { EntityId = EntityId, Timestamp = -1 }, TestActor);
        var latest = await ExpectMsgAsync<PartitionListOffsetResult>();
        Assert.Equal((int)ErrorCode.OffsetNotAvailable, latest.ErrorCode);
        leader.Tell(new PartitionListOffset { EntityId = EntityId, Timestamp = 0 }, TestActor);
        Assert.Equal((int)ErrorCode.OffsetNotAvailable, (await ExpectMsgAsync<PartitionListOffsetResult>()).ErrorCode);
        leader.Tell(new PartitionListOffset { EntityId = EntityId, Timestamp = -2 }, TestActor);
        Assert.Equal((0, 0L), ((await ExpectMsgAsync<PartitionListOffsetResult>()) is var earliest ? (earliest.ErrorCode, earliest.Offset) : default));

        // The follower fetches from the log end: the high watermark reaches the epoch start and latest is served.
        leader.Tell(new PartitionFetch { EntityId = EntityId, FetchOffset = 5, MaxBytes = 1 << 20, ReplicaId = 1, CurrentLeaderEpoch = 2 }, TestActor);
        Assert.Equal(5, (await ExpectMsgAsync<PartitionFetchResult>()).HighWatermark);
        leader.Tell(new PartitionListOffset { EntityId = EntityId, Timestamp = -1 }, TestActor);
        Assert.Equal((0, 5L), ((await ExpectMsgAsync<PartitionListOffsetResult>()) is var served ? (served.ErrorCode, served.Offset) : default));
    }

    [Fact]
    public async Task An_entity_whose_topic_is_gone_must_ask_its_shard_to_passivate_it()
    {
        StartEntity();
        await _controller.ExpectMsgAsync<ElectLeader>();
        _controller.Reply(new LeaderElected { ErrorCode = (int)ErrorCode.UnknownTopicId, ErrorMessage = "deleted" });
        await _shard.ExpectMsgAsync<Passivate>();
    }

    [Fact]
    public async Task An_unanswered_election_must_be_retried()
    {
        StartEntity();
        await _controller.ExpectMsgAsync<ElectLeader>();
        await _controller.ExpectMsgAsync<ElectLeader>(TimeSpan.FromSeconds(10));
    }
}
