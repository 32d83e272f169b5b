using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Event;
using ActorStream.Broker.Controller;
using ActorStream.Broker.Endpoint;
using ActorStream.Broker.Group;
using ActorStream.Broker.Logs;
using ActorStream.Broker.Replication;
using ActorStream.Broker.Partition;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using KafkaListener = ActorStream.Protocol.Client.KafkaListener;

namespace ActorStream.Broker.Hosting;

/// <summary>
/// One running broker node: an Akka.Cluster member hosting the log manager, the partition shard region, the
/// controller and group coordinator singletons (and their proxies) and the node endpoint <c>/user/broker</c>. Start order:
/// data dir lock, identity and port checks, join, singletons, registration with the controller (which may refuse the
/// node), <c>meta.properties</c>, then the logs and the partition shard region. Listeners of other modules (the Kafka
/// gateway, <see cref="INodeListener"/>) bind right after the port checks, before the node joins, so their bound ports
/// travel with the registration; they accept connections once the node is up.
/// <code>
/// /user/log-manager          LogManager: every partition log on this node
/// /system/sharding/partition shard region → PartitionEntity per partition (persistent, remember-entities), placed on
///                            an in-sync replica by InSyncReplicaAllocationStrategy
/// /user/controller           ClusterSingletonManager → ClusterController (persistent), which reaches the shard region
///                            through /user/partitions-forwarder (the region starts only once this node is registered)
/// /user/controller-proxy     ClusterSingletonProxy
/// /user/group-coordinator    ClusterSingletonManager → GroupCoordinator (persistent: consumer groups, committed offsets)
/// /user/group-coordinator-proxy ClusterSingletonProxy
/// /user/replica-manager      ReplicaManager → one ReplicaFetcher per leader node (this node's follower copies)
/// /user/broker               BrokerEndpoint: what clients talk to
/// </code>
/// </summary>
public sealed class BrokerNode : IAsyncDisposable
{
    public const string SystemName = "actorstream";
    public const string PartitionTypeName = "partition";

    /// <summary>
    /// One placement decision's wait for the controller. Patient enough for a controller singleton that is still starting
    /// or handing over: a remembered partition whose allocation fails is only retried when a region registers or a
    /// message for it arrives.
    /// </summary>
    private static readonly TimeSpan PartitionPlacementControllerTimeout = TimeSpan.FromSeconds(5);

    private BrokerNode(ActorSystem system, BrokerSettings settings, IActorRef endpoint, string clusterId, DataDirLock dataDirLock, NodeListeners listeners)
    {
        System = system;
        Settings = settings;
        Endpoint = endpoint;
        ClusterId = clusterId;
        _dataDirLock = dataDirLock;
        _listeners = listeners;
    }

    private readonly DataDirLock _dataDirLock;
    private readonly NodeListeners _listeners;

    public ActorSystem System { get; }

    /// <summary>The node's settings, with the ports it actually bound (a configured port 0 becomes the chosen one).</summary>
    public BrokerSettings Settings { get; }
    public IActorRef Endpoint { get; }
    public string ClusterId { get; }

    /// <summary>The address clients bootstrap from: <c>host:port</c> (the bound port).</summary>
    public string BootstrapAddress => $"{Settings.Host}:{Settings.Port}";

    /// <summary>What the node's other listeners (the Kafka gateway) advertise, with their bound ports; empty without any.</summary>
    public IReadOnlyList<AdvertisedListener> AdvertisedListeners => _listeners.Advertised;

    /// <summary>Starts a node from a fully assembled config (see <see cref="BrokerConfig.Build"/>).</summary>
    public static Task<BrokerNode> StartAsync(Config config, CancellationToken cancellationToken = default) =>
        StartAsync(config, [], cancellationToken);

    /// <summary>
    /// Starts a node with listeners of other modules (the Kafka gateway): the node owns them from here on, binds them
    /// before it joins, starts them once it is up and disposes them when it stops or fails to start.
    /// </summary>
    public static async Task<BrokerNode> StartAsync(Config config, IReadOnlyList<INodeListener> listeners, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(listeners);
        var nodeListeners = new NodeListeners(listeners);
        try
        {
            var settings = BrokerSettings.Create(config.GetConfig("actorstream.broker"));
            // Before anything in the data dir or the journal is touched: a second node process on this data dir stops here.
            var dataDirLock = DataDirLock.Acquire(settings.DataDir);
            try
            {
                return await StartLockedAsync(config, settings, dataDirLock, nodeListeners, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                dataDirLock.Dispose();
                throw;
            }
        }
        catch
        {
            await nodeListeners.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<BrokerNode> StartLockedAsync(Config config, BrokerSettings settings, DataDirLock dataDirLock, NodeListeners listeners, CancellationToken cancellationToken)
    {
        var meta = MetaProperties.Read(settings.DataDir);
        if (meta is not null && meta.NodeId != settings.NodeId)
        {
            throw new InvalidOperationException(
                $"The data dir {settings.DataDir} belongs to node {meta.NodeId}, not node {settings.NodeId} (see {MetaProperties.FileName})");
        }

        PortCheck.EnsureFree(settings.BindHost, NodePorts(settings));
        listeners.Bind();
        JournalSettings.Parse(settings.Journal, settings.DataDir).Prepare();

        var system = ActorSystem.Create(SystemName, config);
        var joined = false;
        try
        {
            var cluster = Cluster.Get(system);
            // Port 0 binds any free port: from here on the node advertises the bound one.
            settings = settings with { Port = cluster.SelfAddress.Port ?? settings.Port };
            WarnIfIsrShrinksBeforeFailureDetection(system, settings);
            var seeds = config.GetStringList("akka.cluster.seed-nodes");
            if (seeds.Count == 0)
            {
                await cluster.JoinAsync(cluster.SelfAddress, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await cluster.JoinSeedNodesAsync(seeds.Select(Address.Parse), cancellationToken).ConfigureAwait(false);
            }

            joined = true;
            var controllerProxy = system.ActorOf(
                ClusterSingletonProxy.Props("/user/controller", ClusterSingletonProxySettings.Create(system)),
                "controller-proxy");
            // The controller answers the registration before this node hosts any partition: a refused node never does.
            var partitionsForController = system.ActorOf(PartitionRegionForwarder.Props(), "partitions-forwarder");
            system.ActorOf(
                ClusterSingletonManager.Props(ClusterController.Props(settings, partitionsForController), PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)),
                "controller");

            system.ActorOf(
                ClusterSingletonManager.Props(GroupCoordinator.Props(settings.Group, controllerProxy, settings.OffsetsRetentionCheckInterval), PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)),
                GroupCoordinator.Name);
            var groupCoordinatorProxy = system.ActorOf(
                ClusterSingletonProxy.Props("/user/" + GroupCoordinator.Name, ClusterSingletonProxySettings.Create(system)),
                GroupCoordinator.Name + "-proxy");

            var registration = new NodeRegistration
            {
                NodeId = settings.NodeId,
                Host = settings.Host,
                Port = settings.Port,
                Address = cluster.SelfAddress.ToString(),
                Uid = cluster.SelfUniqueAddress.Uid,
                ClusterId = meta?.ClusterId ?? "",
                DataDir = settings.DataDir,
                AcceptEmptyDataDir = meta is null && settings.AcceptEmptyDataDir,
            };
            registration.KafkaListeners.AddRange(listeners.Advertised.Select(l => new KafkaListener { Name = l.Name, Host = l.Host, Port = l.Port }));
            var registered = await RegisterAsync(controllerProxy, registration, settings.RequestTimeout, cancellationToken).ConfigureAwait(false);
            if (registered.ErrorCode != 0)
            {
                throw new InvalidOperationException(registered.ErrorMessage);
            }

            if (meta is null)
            {
                new MetaProperties(settings.NodeId, registered.ClusterId).Write(settings.DataDir);
            }

            var logManager = system.ActorOf(LogManager.Props(settings), "log-manager");
            var sharding = ClusterSharding.Get(system);
            var shardingSettings = ClusterShardingSettings.Create(system).WithRememberEntities(true);
            var partitionPlacement = new InSyncReplicaAllocationStrategy(
                PartitionPlacementControllerTimeout,
                shardingSettings.TuningParameters.LeastShardAllocationMaxSimultaneousRebalance);
            var partitions = await sharding.StartAsync(
                PartitionTypeName,
                entityId => PartitionEntity.Props(entityId, settings, logManager, controllerProxy),
                shardingSettings,
                new PartitionMessageExtractor(),
                partitionPlacement,
                PartitionHandOff.Instance).ConfigureAwait(false);
            partitionsForController.Tell(new PartitionRegionForwarder.RegionStarted(partitions));
            await AwaitRegionRegisteredAsync(system, partitions, cluster.SelfAddress, settings.RequestTimeout, cancellationToken).ConfigureAwait(false);

            var replicaManager = system.ActorOf(ReplicaManager.Props(settings, logManager), "replica-manager");
            var endpoint = system.ActorOf(BrokerEndpoint.Props(settings, partitions, controllerProxy, groupCoordinatorProxy, replicaManager), "broker");
            // A node downed by the cluster terminates on its own: its data dir is free again once it has (termination
            // callbacks run before WhenTerminated completes).
            system.RegisterOnTermination(() =>
            {
                dataDirLock.Dispose();
                // A downed node stops serving Kafka clients too (they reconnect to the others).
                _ = listeners.DisposeAsync().AsTask();
            });
            var node = new BrokerNode(system, settings, endpoint, registered.ClusterId, dataDirLock, listeners);
            listeners.Start(node);
            return node;
        }
        catch
        {
            if (joined)
            {
                // Leave rather than vanish: the others need not wait for failure detection and downing.
                await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).ConfigureAwait(false);
            }

            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A node is up once the shard coordinator knows its partition region: before that, partitions created or moved
    /// meanwhile are placed as if this node were not there (a preferred leader would lead only after the next rebalance).
    /// Not fatal: a coordinator that is slow to answer only delays placement.
    /// </summary>
    private static async Task AwaitRegionRegisteredAsync(ActorSystem system, IActorRef region, Address self, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var regions = await region.Ask<CurrentRegions>(GetCurrentRegions.Instance, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                if (regions.Regions.Contains(self))
                {
                    return;
                }
            }
            catch (AskTimeoutException)
            {
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }

        system.Log.Warning("The shard coordinator did not confirm this node's partition region within {0}; partitions are placed here once it does", timeout);
    }

    /// <summary>The ports the node itself opens, checked before start (an <see cref="INodeListener"/> binds its own sockets right after).</summary>
    private static IEnumerable<PortCheck.NodePort> NodePorts(BrokerSettings settings) => [new("port", settings.Port)];

    /// <summary>
    /// The controller refuses to drop unreachable nodes from an ISR (the split brain resolver decides), so a follower
    /// must be unreachable before a leader's lag check asks: replication.lag-time-max must exceed failure detection.
    /// </summary>
    private static void WarnIfIsrShrinksBeforeFailureDetection(ActorSystem system, BrokerSettings settings)
    {
        var detector = system.Settings.Config.GetConfig("akka.cluster.failure-detector");
        var detection = detector.GetTimeSpan("acceptable-heartbeat-pause") + detector.GetTimeSpan("heartbeat-interval");
        if (settings.ReplicaLagTimeMax <= detection)
        {
            system.Log.Warning(
                "actorstream.broker.replication.lag-time-max ({0}) should exceed failure detection ({1}): a leader cut off with the controller could otherwise shrink ISRs before the cluster decides which side is down",
                settings.ReplicaLagTimeMax,
                detection);
        }
    }

    private static async Task<NodeRegistered> RegisterAsync(IActorRef controller, NodeRegistration registration, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                // The singleton may still be starting (and the journal initialising): ask again until it answers.
                return await controller.Ask<NodeRegistered>(registration, TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    /// <summary>Leaves the cluster and stops the node cleanly (partition logs are closed with their clean-shutdown marker).</summary>
    public async Task StopAsync()
    {
        // Kafka clients first: their connections close and they move to the other nodes while this one leaves.
        await _listeners.DisposeAsync().ConfigureAwait(false);
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance).ConfigureAwait(false);
        await System.WhenTerminated.ConfigureAwait(false);
        _dataDirLock.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
