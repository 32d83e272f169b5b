using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>One node as a Kafka client dials it: its id and the address of one of its Kafka listeners.</summary>
internal readonly record struct KafkaBroker(int NodeId, string Host, int Port);

/// <summary>The Kafka addresses of the cluster's nodes for the listener a request arrived on.</summary>
internal static class KafkaBrokers
{
    /// <summary>
    /// Every node's advertised address for <see cref="KafkaRequestContext.Listener"/>'s name, as Kafka answers
    /// (a node without a listener of that name is left out). This node is always listed, at the address the request
    /// came in on, even while its registration has not reached the metadata yet.
    /// </summary>
    public static IReadOnlyList<KafkaBroker> For(KafkaRequestContext context, Native.MetadataResponse metadata)
    {
        var self = context.Services.NodeId;
        var brokers = new List<KafkaBroker> { new(self, context.Listener.AdvertisedHost, context.Listener.AdvertisedPort) };
        foreach (var node in metadata.Brokers)
        {
            if (node.NodeId == self)
            {
                continue;
            }

            var listener = node.KafkaListeners.FirstOrDefault(l => string.Equals(l.Name, context.Listener.Name, StringComparison.OrdinalIgnoreCase));
            if (listener is not null)
            {
                brokers.Add(new KafkaBroker(node.NodeId, listener.Host, listener.Port));
            }
        }

        brokers.Sort((a, b) => a.NodeId.CompareTo(b.NodeId));
        return brokers;
    }
}
