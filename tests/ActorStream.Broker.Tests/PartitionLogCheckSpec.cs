using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using ActorStream.Broker.Logs;
using ActorStream.Broker.Partition;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Storage.Log;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests;

/// <summary>
/// Issue 11, item 2: an elected partition entity whose log is missing or shorter than what the partition's journal proves
/// (checkpointed high watermark, this node's last epoch start) does not serve it: it tells the controller (a probe here)
/// and does what the controller decides: follow (out of the ISR), stay offline, or lead uncleanly from what is left.
/// The log manager is real (and restarted, so a deleted directory is really gone), the journal is the in-memory one.
/// </summary>
public sealed class PartitionLogCheckSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const string TopicId = "fedcba9876543210fedcba9876543210";
    private static readonly string EntityId = new PartitionEntityId(TopicId, 0).ToString();

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-entity", Guid.NewGuid().ToString("N"));
    private readonly BrokerSettings _settings;
    private readonly TestProbe _controller;
    private readonly TestProbe _shard;
    private IActorRef _logManager;
    private int _logManagers;

    public PartitionLogCheckSpec()
        : base(ConfigurationFactory.ParseString("""
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            akka.loglevel = WARNING
            """).WithFallback(ActorStream.Protocol.ProtocolConfig.Default))
    {
        _settings = BrokerSettings.Create(TestNode.Config(_dir).GetConfig("actorstream.broker"));
        _logManager = Sys.ActorOf(LogManager.Props(_settings), "log-manager-0");
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

    private string LogDir => Path.Combine(_settings.LogsDir, LogManager.DirectoryName("orders", 0, TopicId));

    private IActorRef StartEntity() => _shard.ChildActorOf(PartitionEntity.Props(EntityId, _settings, _logManager, _controller.Ref));

    private async Task ElectAsync(int epoch, int[] isr)
    {
        await _controller.ExpectMsgAsync<ElectLeader>();
        var topic = new TopicState { Name = "orders", TopicId = TopicId, ReplicationFactor = 2 };
        topic.Partitions.Add(new PartitionAssignment { Partition = 0, Replicas = { 0, 1 }, Isr = { isr }, LeaderId = 0, LeaderEpoch = epoch });
        _controller.Reply(new LeaderElected { Topic = topic, LeaderEpoch = epoch });
    }

    private static PartitionAppend Append(int records) =>
        new() { EntityId = EntityId, Acks = 1, TimeoutMs = 1000, Records = NodeFixture.Batch(records) };

    private async Task StopAsync(IActorRef entity, object stopMessage)
    {
        await WatchAsync(entity);
        entity.Tell(stopMessage);
        await ExpectTerminatedAsync(entity);
    }

    /// <summary>The node's data dir loses the partition: the log manager (which keeps logs open) restarts first.</summary>
    private async Task LoseTheLogAsync()
    {
        await WatchAsync(_logManager);
        Sys.Stop(_logManager);
        await ExpectTerminatedAsync(_logManager);
        Directory.Delete(LogDir, recursive: true);
        _logManager = Sys.ActorOf(LogManager.Props(_settings), $"log-manager-{++_logManagers}");
    }

    /// <summary>Five records, a restart without a checkpoint (epoch 1, this node's, starts at offset 5), one more record, and the log is lost.</summary>
    private async Task WriteFiveRecordsAndLoseThemAsync()
    {
        var entity = StartEntity();
        await ElectAsync(epoch: 0, isr: [0]);
        entity.Tell(Append(5), TestActor);
        Assert.Equal(0, (await ExpectMsgAsync<PartitionAppendResult>()).BaseOffset);
        await StopAsync(entity, PoisonPill.Instance);
        entity = StartEntity();
        await ElectAsync(epoch: 1, isr: [0]);
        entity.Tell(Append(1), TestActor);
        Assert.Equal(5, (await ExpectMsgAsync<PartitionAppendResult>()).BaseOffset);
        await StopAsync(entity, PoisonPill.Instance);
        await LoseTheLogAsync();
    }

    [Fact]
    public async Task A_leader_handed_off_must_checkpoint_its_high_watermark_so_an_emptied_log_is_caught_and_the_replica_follows()
    {
        // Epoch 0 starts at offset 0: only the final checkpoint of the hand-off proves the five records.
        var entity = StartEntity();
        await ElectAsync(epoch: 0, isr: [0]);
        entity.Tell(Append(5), TestActor);
        Assert.Equal(0, (await ExpectMsgAsync<PartitionAppendResult>()).BaseOffset);
        await StopAsync(entity, PartitionHandOff.Instance);
        await LoseTheLogAsync();

        var restarted = StartEntity();
        restarted.Tell(Append(1), TestActor);
        await ElectAsync(epoch: 1, isr: [0, 1]);
        var lost = await _controller.ExpectMsgAsync<ReplicaLogLost>();
        Assert.Equal((TopicId, 0, 0, 1, 0L, 5L, LogDir), (lost.TopicId, lost.Partition, lost.NodeId, lost.LeaderEpoch, lost.LogEndOffset, lost.RequiredOffset, lost.LogDir));
        _controller.Reply(new ReplicaLogLostResult { Partition = new PartitionAssignment { Partition = 0, Replicas = { 0, 1 }, Isr = { 1 }, LeaderId = -1, LeaderEpoch = 1 } });

        // Not the leader: the stashed append is refused (retriable), and the log is free for this node's follower.
        var refused = await ExpectMsgAsync<PartitionAppendResult>();
        Assert.Equal(ErrorCode.NotLeaderOrFollower, (ErrorCode)refused.ErrorCode);
        var follower = CreateTestProbe();
        await AwaitAssertAsync(async () =>
        {
            _logManager.Tell(new LogManager.OpenLogAsFollower(TopicId, "orders", 0, LogConfig.Default), follower.Ref);
            var opened = await follower.ExpectMsgAsync<LogManager.LogOpened>(TimeSpan.FromSeconds(1));
            Assert.Equal(0, opened.Log.LogEndOffset);
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Without_another_in_sync_replica_the_partition_must_stay_offline_and_say_what_is_missing()
    {
        await WriteFiveRecordsAndLoseThemAsync();
        var entity = StartEntity();
        await ElectAsync(epoch: 2, isr: [0]);
        var lost = await _controller.ExpectMsgAsync<ReplicaLogLost>();
        Assert.Equal((0L, 5L), (lost.LogEndOffset, lost.RequiredOffset));
        _controller.Reply(new ReplicaLogLostResult { ErrorCode = (int)ErrorCode.LeaderNotAvailable, ErrorMessage = "offline" });

        entity.Tell(Append(1), TestActor);
        var refused = await ExpectMsgAsync<PartitionAppendResult>();
        Assert.Equal(ErrorCode.LeaderNotAvailable, (ErrorCode)refused.ErrorCode);
        Assert.Contains("orders-0", refused.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("[0, 5)", refused.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains(LogDir, refused.ErrorMessage, StringComparison.Ordinal);
        entity.Tell(new PartitionFetch { EntityId = EntityId, FetchOffset = 0, MaxBytes = 1 << 20 }, TestActor);
        Assert.Equal(ErrorCode.LeaderNotAvailable, (ErrorCode)(await ExpectMsgAsync<PartitionFetchResult>()).ErrorCode);
    }

    [Fact]
    public async Task An_unclean_election_must_lead_from_what_is_left_and_cut_the_journal_to_it()
    {
        await WriteFiveRecordsAndLoseThemAsync();
        var entity = StartEntity();
        await ElectAsync(epoch: 2, isr: [0]);
        await _controller.ExpectMsgAsync<ReplicaLogLost>();
        _controller.Reply(new ReplicaLogLostResult { LeadUnclean = true });
        entity.Tell(Append(2), TestActor);
        Assert.Equal((0, 0L), ((await ExpectMsgAsync<PartitionAppendResult>()) is var first ? (first.ErrorCode, first.BaseOffset) : default));

        // The journal no longer claims the lost offsets: the next incarnation leads without asking.
        await StopAsync(entity, PoisonPill.Instance);
        var restarted = StartEntity();
        await ElectAsync(epoch: 3, isr: [0]);
        restarted.Tell(Append(1), TestActor);
        Assert.Equal((0, 2L), ((await ExpectMsgAsync<PartitionAppendResult>()) is var next ? (next.ErrorCode, next.BaseOffset) : default));
        await _controller.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }
}
