using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using ActorStream.Broker.Controller;
using ActorStream.Broker.Endpoint;
using ActorStream.Broker.Logs;
using ActorStream.Broker.Partition;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Hosting;

/// <summary>
/// One running broker node: an Akka.Cluster member hosting the log manager, the partition shard region, the
/// controller singleton (and its proxy) and the node endpoint <c>/user/broker</c>.
/// <code>
/// /user/log-manager          LogManager: every partition log on this node
/// /system/sharding/partition shard region → PartitionEntity per partition (persistent, remember-entities)
/// /user/controller           ClusterSingletonManager → ClusterController (persistent)
/// /user/controller-proxy     ClusterSingletonProxy
/// /user/broker               BrokerEndpoint: what clients talk to
/// </code>
/// </summary>
public sealed class BrokerNode : IAsyncDisposable
{
    public const string SystemName = "actorstream";
    public const string PartitionTypeName = "partition";

    private BrokerNode(ActorSystem system, BrokerSettings settings, IActorRef endpoint, string clusterId)
    {
        System = system;
        Settings = settings;
        Endpoint = endpoint;
        ClusterId = clusterId;
    }

    public ActorSystem System { get; }
    public BrokerSettings Settings { get; }
    public IActorRef Endpoint { get; }
    public string ClusterId { get; }

    /// <summary>The address clients bootstrap from: <c>host:port</c>.</summary>
    public string BootstrapAddress => $"{Settings.Host}:{Settings.Port}";

    /// <summary>Starts a node from a fully assembled config (see <see cref="BrokerConfig.Build"/>).</summary>
    public static async Task<BrokerNode> StartAsync(Config config, CancellationToken cancellationToken = default)
    {
        var settings = BrokerSettings.Create(config.GetConfig("actorstream.broker"));
        var meta = MetaProperties.Read(settings.DataDir);
        if (meta is not null && meta.NodeId != settings.NodeId)
        {
            throw new InvalidOperationException(
                $"The data dir {settings.DataDir} belongs to node {meta.NodeId}, not node {settings.NodeId} (see {MetaProperties.FileName})");
        }

        JournalSettings.Parse(settings.Journal, settings.DataDir).Prepare();
        Directory.CreateDirectory(settings.DataDir);

        var system = ActorSystem.Create(SystemName, config);
        try
        {
            var cluster = Cluster.Get(system);
            var seeds = config.GetStringList("akka.cluster.seed-nodes");
            if (seeds.Count == 0)
            {
                await cluster.JoinAsync(cluster.SelfAddress, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await cluster.JoinSeedNodesAsync(seeds.Select(Address.Parse), cancellationToken).ConfigureAwait(false);
            }

            var controllerProxy = system.ActorOf(
                ClusterSingletonProxy.Props("/user/controller", ClusterSingletonProxySettings.Create(system)),
                "controller-proxy");
            var logManager = system.ActorOf(LogManager.Props(settings), "log-manager");
            var sharding = ClusterSharding.Get(system);
            var shardingSettings = ClusterShardingSettings.Create(system).WithRememberEntities(true);
            var partitions = await sharding.StartAsync(
                PartitionTypeName,
                entityId => PartitionEntity.Props(entityId, settings, logManager, controllerProxy),
                shardingSettings,
                new PartitionMessageExtractor()).ConfigureAwait(false);

            system.ActorOf(
                ClusterSingletonManager.Props(ClusterController.Props(settings, partitions), PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)),
                "controller");

            var registration = new NodeRegistration
            {
                NodeId = settings.NodeId,
                Host = settings.Host,
                Port = settings.Port,
                Address = cluster.SelfAddress.ToString(),
                ClusterId = meta?.ClusterId ?? "",
            };
            var registered = await RegisterAsync(controllerProxy, registration, settings.RequestTimeout, cancellationToken).ConfigureAwait(false);
            if (registered.ErrorCode != 0)
            {
                throw new InvalidOperationException(registered.ErrorMessage);
            }

            if (meta is null)
            {
                new MetaProperties(settings.NodeId, registered.ClusterId).Write(settings.DataDir);
            }

            var endpoint = system.ActorOf(BrokerEndpoint.Props(settings, partitions, controllerProxy), "broker");
            return new BrokerNode(system, settings, endpoint, registered.ClusterId);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
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
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance).ConfigureAwait(false);
        await System.WhenTerminated.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
