using Akka.Actor;
using ActorStream.Broker.Logs;
using ActorStream.Broker.Replication;
using ActorStream.Protocol.Broker;
using ActorStream.Storage.Log;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// The replica manager alone, with a real LogManager on a temp data dir: what it does with a metadata snapshot beyond
/// starting fetchers (none here: the snapshots name no broker addresses).
/// </summary>
public sealed class ReplicaManagerSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const string TopicId = "0123456789abcdef0123456789abcdef";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-replica-manager", Guid.NewGuid().ToString("N"));
    private readonly BrokerSettings _settings;
    private readonly IActorRef _logManager;

    public ReplicaManagerSpec()
        : base("akka.loglevel = WARNING")
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
    public async Task Every_snapshot_must_reach_the_log_manager_so_the_log_of_a_partition_moved_away_is_deleted()
    {
        var stray = Path.Combine(_settings.LogsDir, LogManager.DirectoryName("moved", 0, TopicId));
        PartitionLog.Open(stray).Dispose();
        var replicaManager = Sys.ActorOf(ReplicaManager.Props(_settings, _logManager), "replica-manager");
        var otherNodes = new[] { _settings.NodeId + 1, _settings.NodeId + 2 };

        replicaManager.Tell(new MetadataSnapshot
        {
            Version = 1,
            Topics = { new TopicState { Name = "moved", TopicId = TopicId, Partitions = { new PartitionAssignment { Partition = 0, Replicas = { otherNodes }, Isr = { otherNodes }, LeaderId = otherNodes[0] } } } },
        });

        await AwaitAssertAsync(() => Assert.False(Directory.Exists(stray)), TimeSpan.FromSeconds(10));
    }
}
