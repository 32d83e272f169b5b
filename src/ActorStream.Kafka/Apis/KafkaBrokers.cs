using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>The Kafka addresses of the cluster's nodes for the listener a request arrived on.</summary>
internal static class KafkaBrokers
{
    /// <summary>
    /// Every node's advertised address for <see cref="KafkaRequestContext.Listener"/>'s name
    /// (<see cref="KafkaBrokerAddresses"/>: a node without a listener of that name is left out, as Kafka does). This node
    /// is always listed, at the address the request came in on, even while its registration has not reached the
    /// metadata yet, so a client never gets a broker list without the node it talks to.
    /// </summary>
    public static IReadOnlyList<KafkaBrokerAddress> For(KafkaRequestContext context, Native.MetadataResponse metadata)
    {
        var self = context.Services.NodeId;
        var brokers = KafkaBrokerAddresses.For(metadata.Brokers.Where(b => b.NodeId != self), context.Listener.Name).ToList();
        brokers.Add(new KafkaBrokerAddress(self, context.Listener.AdvertisedHost, context.Listener.AdvertisedPort));
        brokers.Sort((a, b) => a.NodeId.CompareTo(b.NodeId));
        return brokers;
    }
}
