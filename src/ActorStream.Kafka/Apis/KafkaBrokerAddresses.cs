using ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>A broker's address on one Kafka listener, for the brokers of a Kafka Metadata (or DescribeCluster) response.</summary>
internal readonly record struct KafkaBrokerAddress(int NodeId, string Host, int Port);

/// <summary>
/// Every broker's address for the listener a request arrived on (Kafka answers Metadata with the addresses of that
/// listener name): from the brokers of the native metadata (<see cref="MetadataResponse.Brokers"/>, each carrying the
/// Kafka listeners it registered). A broker without that listener is left out, as Kafka leaves it out.
/// </summary>
internal static class KafkaBrokerAddresses
{
    public static IReadOnlyList<KafkaBrokerAddress> For(IEnumerable<BrokerNode> brokers, string listenerName)
    {
        ArgumentNullException.ThrowIfNull(brokers);
        var addresses = new List<KafkaBrokerAddress>();
        foreach (var broker in brokers)
        {
            foreach (var listener in broker.KafkaListeners)
            {
                if (string.Equals(listener.Name, listenerName, StringComparison.OrdinalIgnoreCase))
                {
                    addresses.Add(new KafkaBrokerAddress(broker.NodeId, listener.Host, listener.Port));
                    break;
                }
            }
        }

        return addresses;
    }
}
