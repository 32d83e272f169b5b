namespace ActorStream.Broker.Configs;

/// <summary>Kafka's <c>ConfigResource.Type</c> codes, and its DescribeConfigs source and type codes.</summary>
public static class ConfigResourceType
{
    public const int Topic = 2;
    public const int Broker = 4;
}

/// <summary>Kafka's <c>DescribeConfigsResponse.ConfigSource</c> codes.</summary>
public static class ConfigSource
{
    public const int TopicConfig = 1;
    public const int StaticBrokerConfig = 4;
    public const int DefaultConfig = 5;
}

/// <summary>Kafka's <c>DescribeConfigsResponse.ConfigType</c> codes.</summary>
public static class ConfigType
{
    public const int Boolean = 1;
    public const int String = 2;
    public const int Int = 3;
    public const int Long = 5;
    public const int List = 7;
}

/// <summary>Kafka's <c>AlterConfigOp.OpType</c> codes (IncrementalAlterConfigs).</summary>
public static class AlterConfigOp
{
    public const int Set = 0;
    public const int Delete = 1;
    public const int Append = 2;
    public const int Subtract = 3;
}
