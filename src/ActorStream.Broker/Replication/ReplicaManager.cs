using Akka.Actor;
using ActorStream.Broker.Logs;
using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Replication;

/// <summary>
/// The node's follower side (<c>/user/replica-manager</c>): from every metadata snapshot the node endpoint receives,
/// it works out which partitions this node follows and runs one <see cref="ReplicaFetcher"/> per leader node, which
/// pulls all of that leader's partitions in one fetch stream (Kafka's ReplicaFetcherManager). It then hands the snapshot
/// to the <see cref="LogManager"/> (<see cref="LogManager.DeleteStrayLogs"/>), which deletes the logs of partitions this
/// node is no longer a replica of, like Kafka's StopReplica with delete=true: the fetchers have just been told to let
/// go of them.
/// </summary>
public sealed class ReplicaManager : ReceiveActor
{
    /// <summary>Asks for <see cref="FollowerPositions"/>: every fetcher's followed partitions (DescribeLogDirs).</summary>
    public sealed class GetFollowerPositions
    {
        public static readonly GetFollowerPositions Instance = new();
    }

    public sealed record FollowerPositions(IReadOnlyList<ReplicaFetcher.FollowerPosition> Positions);

    private readonly BrokerSettings _settings;
    private readonly IActorRef _logManager;
    private readonly Dictionary<int, IActorRef> _fetchers = [];

    public ReplicaManager(BrokerSettings settings, IActorRef logManager)
    {
        _settings = settings;
        _logManager = logManager;
        Receive<MetadataSnapshot>(HandleMetadata);
        Receive<GetFollowerPositions>(_ => HandleGetFollowerPositions());
        Receive<Terminated>(t =>
        {
            foreach (var (node, fetcher) in _fetchers.Where(f => f.Value.Equals(t.ActorRef)).ToList())
            {
                _fetchers.Remove(node);
            }
        });
    }

    public static Props Props(BrokerSettings settings, IActorRef logManager) =>
        Akka.Actor.Props.Create(() => new ReplicaManager(settings, logManager));

    private void HandleGetFollowerPositions()
    {
        var timeout = _settings.RequestTimeout;
        var asks = _fetchers.Values.Select(f => f.Ask<ReplicaFetcher.Positions>(ReplicaFetcher.GetPositions.Instance, timeout)).ToList();
        Task.WhenAll(asks).PipeTo(Sender, success: all => new FollowerPositions(all.SelectMany(p => p.Replicas).ToList()));
    }

    private void HandleMetadata(MetadataSnapshot snapshot)
    {
        var byLeader = FollowedPartition.FollowedBy(snapshot, _settings.NodeId)
            .GroupBy(p => p.LeaderId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<FollowedPartition>)g.ToList());
        foreach (var (leader, partitions) in byLeader)
        {
            var broker = snapshot.Brokers.FirstOrDefault(b => b.NodeId == leader);
            if (broker is null || string.IsNullOrEmpty(broker.Address))
            {
                continue;
            }

            if (!_fetchers.TryGetValue(leader, out var fetcher))
            {
                fetcher = Context.ActorOf(ReplicaFetcher.Props(_settings, _logManager, leader), $"fetcher-{leader}");
                Context.Watch(fetcher);
                _fetchers[leader] = fetcher;
            }

            fetcher.Tell(new ReplicaFetcher.Follow(broker.Address + "/user/broker", partitions));
        }

        foreach (var (leader, fetcher) in _fetchers.Where(f => !byLeader.ContainsKey(f.Key)).ToList())
        {
            // No partition follows that node any more: the fetcher hands its logs back and stops.
            fetcher.Tell(new ReplicaFetcher.Follow(null, []));
        }

        _logManager.Tell(new LogManager.DeleteStrayLogs(snapshot));
    }
}
