namespace ActorStream.Kafka.Tests.Golden;

/// <summary>The client ids the recorded clients were told to send, and the api names of the frame files.</summary>
internal static class GoldenClients
{
    public const string ConfluentProducer = "golden-confluent";

    public const string ConfluentIdempotent = "golden-confluent-idempotent";

    public const string ConfluentAdmin = "golden-confluent-admin";

    public const string Kcat = "golden-kcat";

    public const string ConfluentConsumer = "golden-confluent-consumer";

    public const string KcatConsumer = "golden-kcat-consumer";

    /// <summary>The timestamp the Confluent consumer asks offsets for (ListOffsets by time).</summary>
    public const long OffsetsForTime = 1_700_000_000_000;

    public const string Kafkajs = "golden-kafkajs";

    public static string ApiName(short apiKey) => apiKey switch
    {
        0 => "Produce",
        1 => "Fetch",
        2 => "ListOffsets",
        10 => "FindCoordinator",
        20 => "DeleteTopics",
        21 => "DeleteRecords",
        32 => "DescribeConfigs",
        37 => "CreatePartitions",
        44 => "IncrementalAlterConfigs",
        60 => "DescribeCluster",
        23 => "OffsetForLeaderEpoch",
        3 => "Metadata",
        18 => "ApiVersions",
        19 => "CreateTopics",
        22 => "InitProducerId",
        _ => $"Api{apiKey}",
    };
}
