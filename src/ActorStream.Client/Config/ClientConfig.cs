using ActorStream.Protocol.Logging;

namespace ActorStream.Client.Config;

/// <summary>
/// Settings every client shares, under Kafka's property names. Build one with an object initializer or with
/// <c>FromProperties</c> of a derived type; clients call <see cref="Validate"/> before they start.
/// </summary>
public abstract record ClientConfig
{
    /// <summary>Property names accepted by every client and deliberately ignored (socket tuning Akka.Remote owns).</summary>
    private static readonly string[] IgnoredCommon =
    [
        "client.dns.lookup", "connections.max.idle.ms", "reconnect.backoff.max.ms",
        "send.buffer.bytes", "receive.buffer.bytes", "socket.connection.setup.timeout.ms",
        "socket.connection.setup.timeout.max.ms", "security.protocol",
    ];

    protected ClientConfig()
    {
    }

    private protected ClientConfig(PropertyReader properties)
    {
        BootstrapServers = properties.String("bootstrap.servers", BootstrapServers);
        ClientId = properties.String("client.id", ClientId);
        RequestTimeoutMs = properties.Int("request.timeout.ms", RequestTimeoutMs, min: 1);
        RetryBackoffMs = properties.Int("retry.backoff.ms", RetryBackoffMs, min: 0);
        MetadataMaxAgeMs = properties.Int("metadata.max.age.ms", MetadataMaxAgeMs, min: 0);
        ReconnectBackoffMs = properties.Int("reconnect.backoff.ms", ReconnectBackoffMs, min: 0);
        ClientHostname = properties.String("client.hostname", ClientHostname);
        LogLevel = properties.StringOrNull("log.level") ?? LogLevel;
    }

    /// <summary><c>bootstrap.servers</c>: comma-separated <c>host:port</c> list of broker nodes.</summary>
    public string BootstrapServers { get; init; } = "127.0.0.1:4053";

    /// <summary><c>client.id</c>: shows up in the client's logs.</summary>
    public string ClientId { get; init; } = "";

    /// <summary><c>request.timeout.ms</c>: how long to wait for one reply before it counts as lost.</summary>
    public int RequestTimeoutMs { get; init; } = 30_000;

    /// <summary><c>retry.backoff.ms</c>: pause before retrying a failed request.</summary>
    public int RetryBackoffMs { get; init; } = 100;

    /// <summary><c>metadata.max.age.ms</c>: metadata is refreshed at least this often.</summary>
    public int MetadataMaxAgeMs { get; init; } = 300_000;

    /// <summary>
    /// <c>reconnect.backoff.ms</c>: after the connection to a node drops or is refused (its requests then fail at once),
    /// requests keep away from that node this long before trying it again. Longer than Kafka's 50 ms because Akka.Remote
    /// drops messages to an address it just failed to reach for a moment (the client sets that gate to 200 ms).
    /// </summary>
    public int ReconnectBackoffMs { get; init; } = 500;

    /// <summary>
    /// <c>client.hostname</c> (ActorStream only): the interface the client's Akka.Remote endpoint binds to. Brokers
    /// answer to this address, so it must be reachable from them.
    /// </summary>
    public string ClientHostname { get; init; } = "127.0.0.1";

    /// <summary>
    /// <c>log.level</c> (ActorStream only): the level of the client actor system's log (<c>akka.loglevel</c>: DEBUG,
    /// INFO, WARNING, ERROR or OFF), written to standard error; null keeps the client's reference.conf (WARNING).
    /// </summary>
    public string? LogLevel { get; init; }

    internal IReadOnlyList<BootstrapServer> ParsedBootstrapServers => BootstrapServer.ParseList(BootstrapServers);

    /// <summary>Checks every value, throwing an <see cref="ArgumentException"/> naming the property.</summary>
    public virtual void Validate()
    {
        _ = BootstrapServer.ParseList(BootstrapServers);
        ConfigValidation.InRange("request.timeout.ms", RequestTimeoutMs, 1);
        ConfigValidation.InRange("retry.backoff.ms", RetryBackoffMs, 0);
        ConfigValidation.InRange("metadata.max.age.ms", MetadataMaxAgeMs, 0);
        ConfigValidation.InRange("reconnect.backoff.ms", ReconnectBackoffMs, 0);
        if (string.IsNullOrWhiteSpace(ClientHostname))
        {
            throw new ArgumentException("client.hostname must not be empty", "client.hostname");
        }

        if (LogLevel is not null && !LogLevels.IsValid(LogLevel))
        {
            throw new ArgumentException($"Invalid value '{LogLevel}' for configuration log.level: expected one of {string.Join(", ", LogLevels.Names)}", "log.level");
        }
    }

    /// <summary>Reads Kafka properties into a config, rejects unknown names (except <paramref name="ignored"/>) and validates.</summary>
    private protected static T Load<T>(IDictionary<string, string> properties, Func<PropertyReader, T> create, IReadOnlySet<string> ignored)
        where T : ClientConfig
    {
        var reader = new PropertyReader(properties);
        var config = create(reader);
        reader.ThrowOnUnknown(ignored);
        config.Validate();
        return config;
    }

    private protected static IReadOnlySet<string> Ignored(params string[] names) =>
        new HashSet<string>(IgnoredCommon.Concat(names), StringComparer.Ordinal);
}
