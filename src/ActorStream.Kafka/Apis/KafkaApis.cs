namespace ActorStream.Kafka.Apis;

/// <summary>
/// The handler list: every Kafka API the gateway serves, one line per API key. ApiVersions advertises exactly these
/// (key, min and max version); a request for any other key closes the connection, as Kafka does.
/// </summary>
internal static class KafkaApis
{
    public static IReadOnlyList<KafkaApi> All { get; } =
    [
        new Api00Produce(),
        new Api01Fetch(),
        new Api02ListOffsets(),
        new Api03Metadata(),
        new Api08OffsetCommit(),
        new Api09OffsetFetch(),
        new Api10FindCoordinator(),
        new Api11JoinGroup(),
        new Api12Heartbeat(),
        new Api13LeaveGroup(),
        new Api14SyncGroup(),
        new Api15DescribeGroups(),
        new Api16ListGroups(),
        new Api18ApiVersions(),
        new Api19CreateTopics(),
        new Api20DeleteTopics(),
        new Api21DeleteRecords(),
        new Api22InitProducerId(),
        new Api23OffsetForLeaderEpoch(),
        new Api29DescribeAcls(),
        new Api32DescribeConfigs(),
        new Api33AlterConfigs(),
        new Api35DescribeLogDirs(),
        new Api37CreatePartitions(),
        new Api42DeleteGroups(),
        new Api43ElectLeaders(),
        new Api44IncrementalAlterConfigs(),
        new Api45AlterPartitionReassignments(),
        new Api46ListPartitionReassignments(),
        new Api47OffsetDelete(),
        new Api60DescribeCluster(),
        new Api68ConsumerGroupHeartbeat(),
        new Api69ConsumerGroupDescribe(),
    ];

    private static readonly KafkaApi?[] ByKey = Index(All);

    /// <summary>The handler of <paramref name="apiKey"/>, or null when the gateway does not serve it.</summary>
    public static KafkaApi? Find(short apiKey) => apiKey >= 0 && apiKey < ByKey.Length ? ByKey[apiKey] : null;

    private static KafkaApi?[] Index(IReadOnlyList<KafkaApi> apis)
    {
        var byKey = new KafkaApi?[apis.Count == 0 ? 0 : apis.Max(a => a.Key) + 1];
        foreach (var api in apis)
        {
            if (byKey[api.Key] is not null)
            {
                throw new InvalidOperationException($"Two handlers for Kafka API key {api.Key}");
            }

            byKey[api.Key] = api;
        }

        return byKey;
    }
}
