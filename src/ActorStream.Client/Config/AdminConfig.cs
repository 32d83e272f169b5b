namespace ActorStream.Client.Config;

/// <summary>Admin client settings (Kafka's AdminClientConfig names).</summary>
public sealed record AdminConfig : ClientConfig
{
    /// <summary>Accepted and ignored: Kafka network tuning and admin retry knobs the request timeout covers.</summary>
    public static readonly IReadOnlySet<string> IgnoredProperties = Ignored("default.api.timeout.ms", "retries");

    public AdminConfig()
    {
    }

    private AdminConfig(PropertyReader p)
        : base(p)
    {
    }

    public static AdminConfig FromProperties(IDictionary<string, string> properties) =>
        Load(properties, reader => new AdminConfig(reader), IgnoredProperties);
}
