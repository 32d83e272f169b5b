using Akka.Actor;
using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Partition;

/// <summary>
/// Which registered broker an Akka address belongs to, by host and port (the protocol differs when a transport adapter such
/// as the throttler is applied). A broker registers its cluster self address; without one (an older registration) its
/// advertised host and port, which is also its Akka.Remote port.
/// </summary>
public sealed class BrokerAddressBook
{
    private readonly Dictionary<(string Host, int Port), int> _nodeIds = [];

    public BrokerAddressBook(IEnumerable<Protocol.Client.BrokerNode> brokers)
    {
        foreach (var broker in brokers)
        {
            var address = broker.Address.Length > 0 ? Address.Parse(broker.Address) : null;
            var host = address?.Host ?? broker.Host;
            var port = address?.Port ?? broker.Port;
            _nodeIds[(host.ToUpperInvariant(), port)] = broker.NodeId;
        }
    }

    public static BrokerAddressBook From(MetadataSnapshot snapshot) => new(snapshot.Brokers);

    /// <summary>The node id at <paramref name="address"/>, or <c>null</c> when no registered broker lives there.</summary>
    public int? NodeIdOf(Address address) =>
        address.Host is { } host && address.Port is { } port && _nodeIds.TryGetValue((host.ToUpperInvariant(), port), out var nodeId)
            ? nodeId
            : null;
}
