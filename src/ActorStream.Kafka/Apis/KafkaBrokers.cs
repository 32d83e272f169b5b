using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>One node as a Kafka client dials it: its id and the address of one of its Kafka listeners.</summary>
internal readonly record struct KafkaBroker(int NodeId, string Host, int Port);

/// <summary>The Kafka addresses of the cluster's nodes for the listener a request arrived on.</summary>
internal static class KafkaBrokers
{
    /// <summary>
    /// Every node's address for <see cref="KafkaRequestContext.Listener"/>'s name. Until nodes carry their Kafka
    /// listeners in the cluster metadata, a node can only name itself.
    /// </summary>
    public static IReadOnlyList<KafkaBroker> For(KafkaRequestContext context, Native.MetadataResponse metadata)
    {
        _ = metadata;
        return [new KafkaBroker(context.Services.NodeId, context.Listener.AdvertisedHost, context.Listener.AdvertisedPort)];
    }
}
