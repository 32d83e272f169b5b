using System.Net;
using Akka.Configuration;

namespace ActorStream.Kafka.Hosting;

/// <summary>
/// The <c>actorstream.kafka</c> section, checked up front: whether the gateway runs, its listeners as Kafka's
/// <c>listeners</c> / <c>advertised.listeners</c> name them, and the connection limits.
/// </summary>
public sealed record KafkaSettings
{
    /// <summary>Kafka's limit on a request before the connection has sent one valid request header (512 KiB).</summary>
    public const int InitialRequestMaxBytes = 512 * 1024;

    private const string Section = "actorstream.kafka";

    public required bool Enabled { get; init; }

    public required IReadOnlyList<KafkaListenerSettings> Listeners { get; init; }

    /// <summary>Kafka: <c>socket.request.max.bytes</c>.</summary>
    public required int SocketRequestMaxBytes { get; init; }

    /// <summary>Kafka: <c>connections.max.idle.ms</c>.</summary>
    public required TimeSpan ConnectionsMaxIdle { get; init; }

    /// <summary>
    /// From a node's config: <c>actorstream.kafka</c> (with the module's defaults below it) and the node's host,
    /// bind-host and kafka-port from <c>actorstream.broker</c>.
    /// </summary>
    public static KafkaSettings Create(Config nodeConfig)
    {
        ArgumentNullException.ThrowIfNull(nodeConfig);
        var config = KafkaConfig.WithDefaults(nodeConfig);
        var broker = config.GetConfig("actorstream.broker") ?? Config.Empty;
        var host = broker.GetString("host", "127.0.0.1");
        var bindHost = broker.GetString("bind-host", "") is { Length: > 0 } b ? b : host;
        return Create(config.GetConfig(Section), host, bindHost, broker.GetInt("kafka-port", 9092));
    }

    /// <summary>From the <c>actorstream.kafka</c> section and the node's host, bind host and <c>kafka-port</c>.</summary>
    public static KafkaSettings Create(Config kafka, string host, string bindHost, int kafkaPort)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        var maxBytes = kafka.GetLong("socket-request-max-bytes");
        if (maxBytes is < 1024 or > int.MaxValue)
        {
            throw new ConfigurationException($"{Section}.socket-request-max-bytes must be between 1024 and {int.MaxValue}, not {maxBytes}");
        }

        var idle = kafka.GetTimeSpan("connections-max-idle");
        if (idle <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"{Section}.connections-max-idle must be positive, not {idle}");
        }

        return new KafkaSettings
        {
            Enabled = kafka.GetBoolean("enabled"),
            Listeners = ResolveListeners(kafka.GetString("listeners", ""), kafka.GetString("advertised-listeners", ""), host, bindHost, kafkaPort),
            SocketRequestMaxBytes = (int)maxBytes,
            ConnectionsMaxIdle = idle,
        };
    }

    private static List<KafkaListenerSettings> ResolveListeners(string listeners, string advertised, string host, string bindHost, int kafkaPort)
    {
        const string listenersKey = Section + ".listeners";
        const string advertisedKey = Section + ".advertised-listeners";
        var bound = ListenerSyntax.Parse(listeners, listenersKey);
        var setting = listenersKey;
        if (bound.Count == 0)
        {
            if (kafkaPort is < 0 or > 65535)
            {
                throw new ConfigurationException($"actorstream.broker.kafka-port must be a TCP port (0: any free port), not {kafkaPort}");
            }

            // The node's own kafka-port (--kafka-port) when no listeners are configured, as before listeners existed.
            bound = [new ListenerSyntax.Entry("PLAINTEXT", bindHost, kafkaPort)];
            setting = "actorstream.broker.kafka-port";
        }

        var ports = bound.Where(e => e.Port != 0).GroupBy(e => e.Port).FirstOrDefault(g => g.Count() > 1);
        if (ports is not null)
        {
            throw new ConfigurationException($"{listenersKey}: listeners {string.Join(" and ", ports.Select(e => e.Name))} both use port {ports.Key} (each listener needs its own port)");
        }

        var advertisedEntries = ListenerSyntax.Parse(advertised, advertisedKey);
        foreach (var entry in advertisedEntries)
        {
            if (!bound.Any(e => e.Name == entry.Name))
            {
                throw new ConfigurationException(
                    $"{advertisedKey}: {entry.Name} is not a listener (listeners: {string.Join(", ", bound.Select(e => e.Name))})");
            }

            if (IsWildcard(entry.Host))
            {
                throw new ConfigurationException(
                    $"{advertisedKey}: {entry.Name} advertises {entry.Host}, which clients cannot dial (advertise a host name or address)");
            }
        }

        return bound.Select(entry =>
        {
            var listenerHost = entry.Host.Length > 0 ? entry.Host : bindHost;
            var ownHost = entry.Host.Length > 0 && !IsWildcard(entry.Host) ? entry.Host : host;
            var advertisedEntry = advertisedEntries.FirstOrDefault(a => a.Name == entry.Name);
            var advertisedHost = advertisedEntry.Name is not null && advertisedEntry.Host.Length > 0 ? advertisedEntry.Host : ownHost;
            var advertisedPort = advertisedEntry.Name is not null ? advertisedEntry.Port : entry.Port;
            return new KafkaListenerSettings(entry.Name, listenerHost, entry.Port, advertisedHost, advertisedPort, setting);
        }).ToList();
    }

    private static bool IsWildcard(string host) =>
        IPAddress.TryParse(host, out var address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any));
}
