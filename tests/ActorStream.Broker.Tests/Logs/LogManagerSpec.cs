using Akka.Actor;
using Akka.TestKit;
using ActorStream.Broker.Logs;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol.Broker;
using ActorStream.Storage.Log;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests.Logs;

/// <summary>
/// The LogManager's stray logs (Kafka's StopReplica with delete=true), of partitions moved away and of deleted topics (the
/// snapshot's tombstones): a real LogManager of node 0 on a temp data dir,
/// probes as the leader or follower writing a log, and metadata snapshots built by hand. "Nothing deleted" is checked after
/// an <see cref="Identify"/> round trip: the LogManager handles its mailbox in order, so the snapshot was handled by then.
/// </summary>
public sealed class LogManagerSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const string TopicName = "or-ders";
    private const string TopicId = "0123456789abcdef0123456789abcdef";
    private const string OtherTopicId = "fedcba9876543210fedcba9876543210";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-log-manager", Guid.NewGuid().ToString("N"));
    private readonly BrokerSettings _settings;
    private readonly IActorRef _logManager;

    public LogManagerSpec()
        : base("akka.loglevel = WARNING")
    {
        _settings = BrokerSettings.Create(TestNode.Config(_dir).GetConfig("actorstream.broker"));
        _logManager = Sys.ActorOf(LogManager.Props(_settings), "log-manager");
    }

    private int ThisNode => _settings.NodeId;

    private int Other => ThisNode + 1;

    private int Third => ThisNode + 2;

    private string LogDir(int partition = 0, string topicId = TopicId) =>
        Path.Combine(_settings.LogsDir, LogManager.DirectoryName(TopicName, partition, topicId));

    public new void Dispose()
    {
        Shutdown();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>A log with records on disk that the LogManager has not opened (as after a restart).</summary>
    private string CreateLogOnDisk(int partition = 0, string topicId = TopicId)
    {
        var dir = LogDir(partition, topicId);
        using var log = PartitionLog.Open(dir);
        var batch = NodeFixture.Batch(3).ToByteArray();
        log.Append(batch, leaderEpoch: 0);
        return dir;
    }

    private static MetadataSnapshot Snapshot(params TopicState[] topics) => Snapshot(version: 1, topics);

    private static MetadataSnapshot Snapshot(long version, params TopicState[] topics)
    {
        var snapshot = new MetadataSnapshot { Version = version };
        snapshot.Topics.AddRange(topics);
        return snapshot;
    }

    /// <summary>A snapshot whose tombstones (<c>deleted_topic_ids</c>) are <paramref name="deletedTopicIds"/>.</summary>
    private static MetadataSnapshot SnapshotDeleting(string[] deletedTopicIds, params TopicState[] topics)
    {
        var snapshot = Snapshot(topics);
        snapshot.DeletedTopicIds.AddRange(deletedTopicIds);
        return snapshot;
    }

    private static TopicState Topic(string topicId, params PartitionAssignment[] partitions) =>
        new() { Name = TopicName, TopicId = topicId, ReplicationFactor = 2, Partitions = { partitions } };

    private static PartitionAssignment Partition(int partition, int[] replicas, int[]? target = null) =>
        new() { Partition = partition, Replicas = { replicas }, Isr = { replicas }, LeaderId = replicas[0], TargetReplicas = { target ?? [] } };

    private async Task AwaitHandledAsync() =>
        await _logManager.Ask<ActorIdentity>(new Identify(null), RemainingOrDefault);

    private Task AwaitDeletedAsync(string dir) =>
        AwaitAssertAsync(() => Assert.False(Directory.Exists(dir), $"{dir} still exists"), TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_log_on_disk_of_a_partition_this_node_is_no_longer_a_replica_of_must_be_deleted()
    {
        var stray = CreateLogOnDisk(partition: 0);
        var kept = CreateLogOnDisk(partition: 1);

        _logManager.Tell(new LogManager.DeleteStrayLogs(Snapshot(Topic(TopicId, Partition(0, [Other, Third]), Partition(1, [ThisNode, Other])))));

        await AwaitDeletedAsync(stray);
        await AwaitHandledAsync();
        Assert.True(Directory.Exists(kept));
    }

    [Fact]
    public async Task A_snapshot_without_the_topic_must_delete_nothing()
    {
        var dir = CreateLogOnDisk();

        _logManager.Tell(new LogManager.DeleteStrayLogs(Snapshot()));
        _logManager.Tell(new LogManager.DeleteStrayLogs(Snapshot(Topic(OtherTopicId, Partition(0, [Other, Third])))));
        await AwaitHandledAsync();

        Assert.True(Directory.Exists(dir));
    }

    [Fact]
    public async Task A_partition_missing_from_the_snapshot_or_without_replicas_must_delete_nothing()
    {
        var dir = CreateLogOnDisk(partition: 3);

        _logManager.Tell(new LogManager.DeleteStrayLogs(Snapshot(Topic(TopicId, Partition(0, [Other])))));
        _logManager.Tell(new LogManager.DeleteStrayLogs(Snapshot(Topic(TopicId, new PartitionAssignment { Partition = 3, LeaderId = -1 }))));
        await AwaitHandledAsync();

        Assert.True(Directory.Exists(dir));
    }

    [Fact]
    public async Task A_log_of_a_partition_this_node_is_still_a_replica_of_must_be_kept_also_while_a_reassignment_moves_it_away()
    {
        var dir = CreateLogOnDisk();

        _logManager.Tell(new LogManager.DeleteStrayLogs(Snapshot(Topic(TopicId, Partition(0, [Other, ThisNode])))));
        // Reassignment in progress: replicas are target + old, this node being one of the old ones.
        _logManager.Tell(new LogManager.DeleteStrayLogs(Snapshot(Topic(TopicId, Partition(0, [Other, Third, ThisNode], target: [Other, Third])))));
        await AwaitHandledAsync();

        Assert.True(Directory.Exists(dir));
    }

    [Fact]
    public async Task A_snapshot_older_than_the_latest_must_be_ignored()
    {
        var dir = CreateLogOnDisk();

        _logManager.Tell(new LogManager.DeleteStrayLogs(Snapshot(version: 2, Topic(TopicId, Partition(0, [ThisNode, Other])))));
        _logManager.Tell(new LogManager.DeleteStrayLogs(Snapshot(version: 1, Topic(TopicId, Partition(0, [Other, Third])))));
        await AwaitHandledAsync();

        Assert.True(Directory.Exists(dir));
    }

    [Fact]
    public async Task A_directory_that_is_not_a_partition_log_must_be_left_alone()
    {
        var odd = Path.Combine(_settings.LogsDir, TopicName + "-0");
        Directory.CreateDirectory(odd);

        _logManager.Tell(new LogManager.DeleteStrayLogs(Snapshot(Topic(TopicId, Partition(0, [Other])))));
        await AwaitHandledAsync();

        Assert.True(Directory.Exists(odd));
    }

    [Fact]
    public async Task A_log_a_leader_on_this_node_writes_must_be_kept_until_the_leader_stops()
    {
        var leader = CreateTestProbe("leader");
        _logManager.Tell(new LogManager.OpenLog(TopicId, TopicName, 0, LogConfig.Default), leader.Ref);
        await leader.ExpectMsgAsync<LogManager.LogOpened>();
        var dir = LogDir();
        var stray = Snapshot(Topic(TopicId, Partition(0, [Other, Third])));

        _logManager.Tell(new LogManager.DeleteStrayLogs(stray));
        await AwaitHandledAsync();
        Assert.True(Directory.Exists(dir));

        // The leader hands over (stops): the latest snapshot is checked again and the log goes.
        Sys.Stop(leader.Ref);
        await AwaitDeletedAsync(dir);
    }

    [Fact]
    public async Task A_log_the_replica_fetcher_writes_must_be_taken_back_from_it_before_it_is_deleted()
    {
        var fetcher = CreateTestProbe("fetcher");
        _logManager.Tell(new LogManager.OpenLogAsFollower(TopicId, TopicName, 0, LogConfig.Default), fetcher.Ref);
        await fetcher.ExpectMsgAsync<LogManager.LogOpened>();
        var dir = LogDir();

        _logManager.Tell(new LogManager.DeleteStrayLogs(Snapshot(Topic(TopicId, Partition(0, [Other, Third])))));
        var release = await fetcher.ExpectMsgAsync<LogManager.ReleaseLog>();
        Assert.Equal((TopicId, TopicName, 0), (release.TopicId, release.Topic, release.Partition));
        await AwaitHandledAsync();
        Assert.True(Directory.Exists(dir));

        fetcher.Reply(new LogManager.LogReleased(TopicId, TopicName, 0, HighWatermark: 0));
        await AwaitDeletedAsync(dir);
    }

    [Fact]
    public async Task A_stray_log_must_be_kept_when_a_later_snapshot_makes_this_node_a_replica_again_before_the_fetcher_let_go()
    {
        var fetcher = CreateTestProbe("fetcher");
        _logManager.Tell(new LogManager.OpenLogAsFollower(TopicId, TopicName, 0, LogConfig.Default), fetcher.Ref);
        await fetcher.ExpectMsgAsync<LogManager.LogOpened>();
        var dir = LogDir();

        _logManager.Tell(new LogManager.DeleteStrayLogs(Snapshot(Topic(TopicId, Partition(0, [Other, Third])))));
        await fetcher.ExpectMsgAsync<LogManager.ReleaseLog>();
        _logManager.Tell(new LogManager.DeleteStrayLogs(Snapshot(Topic(TopicId, Partition(0, [Other, ThisNode])))));
        _logManager.Tell(new LogManager.LogReleased(TopicId, TopicName, 0, HighWatermark: 0), fetcher.Ref);
        await AwaitHandledAsync();

        Assert.True(Directory.Exists(dir));
    }

    [Fact]
    public async Task A_log_on_disk_of_a_topic_the_snapshot_lists_as_deleted_must_be_deleted()
    {
        var deleted = CreateLogOnDisk(partition: 0);
        var deletedToo = CreateLogOnDisk(partition: 1);
        var kept = CreateLogOnDisk(partition: 0, topicId: OtherTopicId);

        _logManager.Tell(new LogManager.DeleteStrayLogs(SnapshotDeleting([TopicId], Topic(OtherTopicId, Partition(0, [ThisNode, Other])))));

        await AwaitDeletedAsync(deleted);
        await AwaitDeletedAsync(deletedToo);
        await AwaitHandledAsync();
        Assert.True(Directory.Exists(kept));
    }

    [Fact]
    public async Task A_log_of_a_topic_id_neither_in_the_snapshot_nor_listed_as_deleted_must_be_kept()
    {
        var dir = CreateLogOnDisk();

        _logManager.Tell(new LogManager.DeleteStrayLogs(SnapshotDeleting([OtherTopicId])));
        await AwaitHandledAsync();

        Assert.True(Directory.Exists(dir));
    }

    [Fact]
    public async Task A_topic_id_both_in_the_snapshot_and_listed_as_deleted_must_be_judged_by_its_replicas()
    {
        var dir = CreateLogOnDisk();

        _logManager.Tell(new LogManager.DeleteStrayLogs(SnapshotDeleting([TopicId], Topic(TopicId, Partition(0, [ThisNode, Other])))));
        await AwaitHandledAsync();

        Assert.True(Directory.Exists(dir));
    }

    [Fact]
    public async Task A_log_of_a_deleted_topic_a_leader_on_this_node_writes_must_be_kept_until_the_leader_stops()
    {
        var leader = CreateTestProbe("leader");
        _logManager.Tell(new LogManager.OpenLog(TopicId, TopicName, 0, LogConfig.Default), leader.Ref);
        await leader.ExpectMsgAsync<LogManager.LogOpened>();
        var dir = LogDir();

        _logManager.Tell(new LogManager.DeleteStrayLogs(SnapshotDeleting([TopicId])));
        await AwaitHandledAsync();
        Assert.True(Directory.Exists(dir));

        Sys.Stop(leader.Ref);
        await AwaitDeletedAsync(dir);
    }

    [Fact]
    public async Task A_log_of_a_deleted_topic_the_replica_fetcher_writes_must_be_taken_back_from_it_before_it_is_deleted()
    {
        var fetcher = CreateTestProbe("fetcher");
        _logManager.Tell(new LogManager.OpenLogAsFollower(TopicId, TopicName, 0, LogConfig.Default), fetcher.Ref);
        await fetcher.ExpectMsgAsync<LogManager.LogOpened>();
        var dir = LogDir();

        _logManager.Tell(new LogManager.DeleteStrayLogs(SnapshotDeleting([TopicId])));
        await fetcher.ExpectMsgAsync<LogManager.ReleaseLog>();
        await AwaitHandledAsync();
        Assert.True(Directory.Exists(dir));

        fetcher.Reply(new LogManager.LogReleased(TopicId, TopicName, 0, HighWatermark: 0));
        await AwaitDeletedAsync(dir);
    }
}
