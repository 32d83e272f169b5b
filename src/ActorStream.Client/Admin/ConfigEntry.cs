namespace ActorStream.Client.Admin;

/// <summary>Where a config's value comes from (Kafka's DescribeConfigs source codes).</summary>
public enum ConfigSource
{
    Unknown = 0,
    TopicConfig = 1,
    StaticBrokerConfig = 4,
    DefaultConfig = 5,
}

/// <summary>One config of a topic or node, as Kafka's <c>describeConfigs</c> returns it.</summary>
public sealed record ConfigEntry(string Name, string Value, ConfigSource Source, bool IsReadOnly);
