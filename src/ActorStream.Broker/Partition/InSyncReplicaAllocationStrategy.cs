using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Event;
using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Partition;

/// <summary>
/// Shard allocation for the <c>partition</c> shard type (one shard per partition, shard id = entity id): a partition's actor
/// starts only on a node holding an in-sync replica, preferably its preferred leader, and moves back to the preferred
/// leader when that returns (see <see cref="LeaderPlacement"/>). Replicas and ISR come from the controller on every
/// decision, never from gossiped metadata or a cache: a view older than a CreateTopics would not know the new partitions,
/// and one older than an ISR shrink could start a leader on a replica that lacks committed records.
/// <para>
/// The shard coordinator's traps (DESIGN.md section 8) shape the methods: they are <c>async</c>, never return <c>null</c>
/// and never throw synchronously. When no in-sync replica is alive, or the controller does not answer, the allocation task
/// faults and the coordinator asks again on the region's next retry. Concurrent calls for one shard agree because the
/// answer depends only on the controller's metadata and the live regions.
/// </para>
/// <para>
/// A region counts as live only while its node is an Up (or WeaklyUp) member that nobody finds unreachable. The coordinator
/// learns that a region is gone a little after the node is removed from the cluster; a rebalance in that window would
/// hand a shard off to the dead region, and the coordinator would then wait the whole <c>handoff-timeout</c> (60 s) before
/// starting the partition anywhere else. Shards of a region that is not live are left to the coordinator, which
/// reallocates them once it sees the region terminate.
/// </para>
/// </summary>
public sealed class InSyncReplicaAllocationStrategy : IActorSystemDependentAllocationStrategy
{
    public const string ControllerProxyPath = "/user/controller-proxy";

    private readonly TimeSpan _controllerTimeout;
    private readonly int _maxSimultaneousRebalance;
    private Started? _started;

    private sealed record Started(ActorSelection Controller, Cluster Cluster, ILoggingAdapter Log)
    {
        public Address SelfAddress => Cluster.SelfAddress;

        /// <summary>The addresses of Up and WeaklyUp members nobody finds unreachable (read from the cluster's current state).</summary>
        public HashSet<Address> LiveAddresses()
        {
            var state = Cluster.State;
            var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
            return state.Members
                .Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp && !unreachable.Contains(m.Address))
                .Select(m => m.Address)
                .ToHashSet();
        }
    }

    /// <param name="controllerTimeout">How long one decision waits for the controller before the coordinator's retry takes over.</param>
    /// <param name="maxSimultaneousRebalance">At most this many partitions are being handed off to their preferred leader at once.</param>
    public InSyncReplicaAllocationStrategy(TimeSpan controllerTimeout, int maxSimultaneousRebalance)
    {
        _controllerTimeout = controllerTimeout;
        _maxSimultaneousRebalance = maxSimultaneousRebalance;
    }

    /// <summary>Called by the shard coordinator wherever it (re)starts, before any allocation or rebalance.</summary>
    public void Start(ActorSystem system) =>
        _started = new Started(system.ActorSelection(ControllerProxyPath), Cluster.Get(system), Logging.GetLogger(system, GetType()));

    public async Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        var started = _started ?? throw new InvalidOperationException("The shard coordinator did not call Start(ActorSystem)");
        var snapshot = await started.Controller.Ask<MetadataSnapshot>(new GetMetadataSnapshot(), _controllerTimeout).ConfigureAwait(false);
        var book = BrokerAddressBook.From(snapshot);
        var live = started.LiveAddresses();
        var regionsByNode = new Dictionary<int, IActorRef>();
        foreach (var region in currentShardAllocations.Keys)
        {
            var address = AddressOf(region, started.SelfAddress);
            if (live.Contains(address) && book.NodeIdOf(address) is { } nodeId)
            {
                regionsByNode.TryAdd(nodeId, region);
            }
        }

        if (FindPartition(snapshot, shardId) is not { } partition)
        {
            // The controller answers after its recovery and tells regions to start a partition only after persisting its
            // topic, and topic ids are never reused: an unknown topic id was deleted. Its entity learns that from the
            // controller's election answer and passivates, so any node will do; faulting instead would have the coordinator
            // retry this shard forever. The first region by address keeps concurrent answers equal.
            var anyRegion = currentShardAllocations.Keys.MinBy(r => AddressOf(r, started.SelfAddress).ToString(), StringComparer.Ordinal)
                ?? throw new InvalidOperationException("No shard region is registered");
            started.Log.Info("Shard [{0}] is not a partition the controller knows (a deleted topic?): starting it on [{1}] to passivate", shardId, anyRegion);
            return anyRegion;
        }

        var leader = LeaderPlacement.ChooseLeader(partition.Replicas, partition.Isr, regionsByNode.Keys.ToHashSet());
        if (leader is not { } node)
        {
            throw new InvalidOperationException(
                $"Partition shard [{shardId}] has no live in-sync replica (replicas [{string.Join(", ", partition.Replicas)}], " +
                $"ISR [{string.Join(", ", partition.Isr)}], nodes with a region [{string.Join(", ", regionsByNode.Keys.Order())}]); " +
                "allocation is retried");
        }

        return regionsByNode[node];
    }

    public async Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress)
    {
        if (_started is not { } started || rebalanceInProgress.Count >= _maxSimultaneousRebalance)
        {
            return ImmutableHashSet<string>.Empty;
        }

        MetadataSnapshot snapshot;
        try
        {
            snapshot = await started.Controller.Ask<MetadataSnapshot>(new GetMetadataSnapshot(), _controllerTimeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            started.Log.Debug("The controller did not answer within {0}: no partition rebalance this round", _controllerTimeout);
            return ImmutableHashSet<string>.Empty;
        }

        var book = BrokerAddressBook.From(snapshot);
        var partitions = PartitionsByShardId(snapshot);
        var liveAddresses = started.LiveAddresses();
        var liveNodes = new HashSet<int>();
        var hosted = new List<HostedPartition>();
        foreach (var (region, shards) in currentShardAllocations)
        {
            var address = AddressOf(region, started.SelfAddress);
            if (!liveAddresses.Contains(address))
            {
                continue; // a dead region cannot hand off; the coordinator reallocates its shards when it sees it terminate
            }

            var nodeId = book.NodeIdOf(address);
            if (nodeId is { } live)
            {
                liveNodes.Add(live);
            }

            foreach (var shard in shards)
            {
                if (partitions.TryGetValue(shard, out var partition))
                {
                    hosted.Add(new HostedPartition(shard, nodeId, partition.Replicas, partition.Isr));
                }
            }
        }

        var moving = LeaderRebalance.ShardsToMove(hosted, rebalanceInProgress.ToHashSet(), liveNodes, _maxSimultaneousRebalance);
        if (moving.Count > 0)
        {
            started.Log.Info("Handing off partition shards [{0}] to move them to their preferred leader or an in-sync replica", string.Join(", ", moving));
        }

        return moving.ToImmutableHashSet();
    }

    /// <summary>The local region's path carries no host and port: it lives at the cluster's self address.</summary>
    private static Address AddressOf(IActorRef region, Address selfAddress) =>
        region.Path.Address.HasLocalScope ? selfAddress : region.Path.Address;

    private static PartitionAssignment? FindPartition(MetadataSnapshot snapshot, string shardId)
    {
        PartitionEntityId id;
        try
        {
            id = PartitionEntityId.Parse(shardId);
        }
        catch (FormatException)
        {
            return null;
        }

        return snapshot.Topics.FirstOrDefault(t => t.TopicId == id.TopicId)?.Partitions.FirstOrDefault(p => p.Partition == id.Partition);
    }

    private static Dictionary<string, PartitionAssignment> PartitionsByShardId(MetadataSnapshot snapshot) =>
        snapshot.Topics
            .SelectMany(t => t.Partitions.Select(p => (Id: new PartitionEntityId(t.TopicId, p.Partition).ToString(), Partition: p)))
            .ToDictionary(e => e.Id, e => e.Partition, StringComparer.Ordinal);
}
