using Akka.Configuration;

namespace ActorStream.Kafka.Hosting;

/// <summary>
/// The KIP-848 settings of <c>actorstream.kafka</c>: Kafka's <c>group.consumer.session.timeout.ms</c> and
/// <c>group.consumer.heartbeat.interval.ms</c>, which the broker (not the client) decides in the consumer protocol.
/// </summary>
internal sealed record ConsumerGroupProtocolSettings(int SessionTimeoutMs, int HeartbeatIntervalMs)
{
    private const string Section = "actorstream.kafka";

    public static ConsumerGroupProtocolSettings Create(Config nodeConfig)
    {
        var kafka = KafkaConfig.WithDefaults(nodeConfig).GetConfig(Section);
        var session = Millis(kafka, "consumer-group-session-timeout");
        var heartbeat = Millis(kafka, "consumer-group-heartbeat-interval");
        if (heartbeat >= session)
        {
            throw new ConfigurationException(
                $"{Section}.consumer-group-heartbeat-interval ({heartbeat} ms) must be shorter than {Section}.consumer-group-session-timeout ({session} ms)");
        }

        return new ConsumerGroupProtocolSettings(session, heartbeat);
    }

    private static int Millis(Config kafka, string key)
    {
        var value = kafka.GetTimeSpan(key);
        if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
        {
            throw new ConfigurationException($"{Section}.{key} must be a positive duration, not {value}");
        }

        return (int)value.TotalMilliseconds;
    }
}
