using Akka.Configuration;

namespace ActorStream.Kafka.Hosting;

/// <summary>The Kafka module's <c>reference.conf</c> (<c>actorstream.kafka</c>), merged below a node's config.</summary>
public static class KafkaConfig
{
    public static Config Reference { get; } = ConfigurationFactory.FromResource<KafkaSettings>("ActorStream.Kafka.reference.conf");

    /// <summary>A node's config (see <c>BrokerConfig.Build</c>) with the Kafka defaults below everything else.</summary>
    public static Config WithDefaults(Config nodeConfig)
    {
        ArgumentNullException.ThrowIfNull(nodeConfig);
        return nodeConfig.WithFallback(Reference);
    }
}
