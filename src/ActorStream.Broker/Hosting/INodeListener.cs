namespace ActorStream.Broker.Hosting;

/// <summary>
/// A listener a node opens besides its Akka.Remote port, such as the Kafka gateway (which lives in a project the broker
/// does not reference). A node's start binds it before the node joins the cluster, so that a taken port fails the start
/// and the bound ports (port 0: any free one) are what the node registers; it starts accepting once the node is up.
/// </summary>
public interface INodeListener : IAsyncDisposable
{
    /// <summary>Binds every socket of this listener and returns the addresses it advertises, with the bound ports.</summary>
    /// <exception cref="PortInUseException">A port is taken.</exception>
    IReadOnlyList<AdvertisedListener> Bind();

    /// <summary>Begins accepting connections, served by <paramref name="node"/> (registered and up).</summary>
    void Start(BrokerNode node);
}

/// <summary>One named listener as a node advertises it (Kafka's <c>advertised.listeners</c> entry): what clients dial.</summary>
public sealed record AdvertisedListener(string Name, string Host, int Port)
{
    /// <summary>Kafka's form, <c>NAME://host:port</c>.</summary>
    public override string ToString() => $"{Name}://{Host}:{Port}";
}
