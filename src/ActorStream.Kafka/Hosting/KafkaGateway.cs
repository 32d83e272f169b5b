using Akka.Configuration;
using Akka.Event;
using ActorStream.Broker.Hosting;
using ActorStream.Kafka.Network;

namespace ActorStream.Kafka.Hosting;

/// <summary>
/// A node's Kafka wire-protocol gateway: one <see cref="KafkaListener"/> per configured listener, bound before the
/// node joins the cluster (so the bound ports are registered and a taken port fails the start), serving requests with
/// the node's endpoint once the node is up. Give <see cref="For"/>'s result to <see cref="BrokerNode.StartAsync(Config, IReadOnlyList{INodeListener}, CancellationToken)"/>.
/// </summary>
public sealed class KafkaGateway : INodeListener
{
    private readonly List<KafkaListener> _listeners;

    internal KafkaGateway(KafkaSettings settings, KafkaBufferPool? pool = null)
    {
        Settings = settings;
        Pool = pool ?? new KafkaBufferPool();
        _listeners = settings.Listeners.Select(l => new KafkaListener(l, settings, Pool)).ToList();
    }

    public KafkaSettings Settings { get; }

    /// <summary>The buffers this gateway's connections rent (tests check the outstanding count).</summary>
    internal KafkaBufferPool Pool { get; }

    internal IReadOnlyList<KafkaListener> Listeners => _listeners;

    /// <summary>
    /// The node listeners the Kafka module adds to a node with config <paramref name="nodeConfig"/> (see
    /// <c>BrokerConfig.Build</c>): the gateway, or none with <c>actorstream.kafka.enabled = off</c>.
    /// </summary>
    /// <exception cref="ConfigurationException">The <c>actorstream.kafka</c> section is invalid.</exception>
    public static IReadOnlyList<INodeListener> For(Config nodeConfig)
    {
        var settings = KafkaSettings.Create(nodeConfig);
        return settings.Enabled ? [new KafkaGateway(settings)] : [];
    }

    public IReadOnlyList<AdvertisedListener> Bind() =>
        _listeners.Select(l => l.Bind()).Select(info => new AdvertisedListener(info.Name, info.AdvertisedHost, info.AdvertisedPort)).ToList();

    public void Start(BrokerNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var services = new KafkaGatewayServices(node.System, node.Endpoint, node.Settings, node.ClusterId);
        var log = Logging.GetLogger(node.System, typeof(KafkaGateway));
        foreach (var listener in _listeners)
        {
            listener.Start(services, log);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }
    }
}
