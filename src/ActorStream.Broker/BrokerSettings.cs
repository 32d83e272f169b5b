using ActorStream.Broker.Group;
using Akka.Actor;
using Akka.Configuration;
using ActorStream.Storage.Log;

namespace ActorStream.Broker;

/// <summary>The <c>actorstream.broker</c> section, checked up front. Actors take this, never <see cref="Config"/>.</summary>
public sealed record BrokerSettings
{
    public required int NodeId { get; init; }
    public required string Host { get; init; }

    /// <summary>The address the node's socket binds to: <c>bind-host</c>, or <see cref="Host"/> when that is empty.</summary>
    public required string BindHost { get; init; }
    public required int Port { get; init; }
    public required int KafkaPort { get; init; }
    public required string DataDir { get; init; }
    public required string Journal { get; init; }
    public required bool AcceptEmptyDataDir { get; init; }
    public required int NumPartitions { get; init; }
    public required int DefaultReplicationFactor { get; init; }
    public required int MinInsyncReplicas { get; init; }
    public required TimeSpan ReplicaLagTimeMax { get; init; }
    public required TimeSpan ReplicaFetchWaitMax { get; init; }
    public required int ReplicaFetchMaxBytes { get; init; }
    public required TimeSpan ReplicaFetchBackoff { get; init; }
    public required bool AutoCreateTopicsEnable { get; init; }
    public required TimeSpan RequestTimeout { get; init; }
    public required int MaxFetchResponseBytes { get; init; }
    public required LogConfig LogDefaults { get; init; }
    public required TimeSpan RetentionCheckInterval { get; init; }
    public required TimeSpan PartitionSnapshotInterval { get; init; }
    public required GroupCoordinatorConfig Group { get; init; }
    public required TimeSpan OffsetsRetentionCheckInterval { get; init; }

    public string LogsDir => Path.Combine(DataDir, "logs");

    public static BrokerSettings Create(ActorSystem system) => Create(system.Settings.Config.GetConfig("actorstream.broker"));

    public static BrokerSettings Create(Config config)
    {
        var settings = new BrokerSettings
        {
            NodeId = config.GetInt("node-id"),
            Host = config.GetString("host"),
            BindHost = config.GetString("bind-host", "") is { Length: > 0 } bindHost ? bindHost : config.GetString("host"),
            Port = config.GetInt("port"),
            KafkaPort = config.GetInt("kafka-port"),
            DataDir = Path.GetFullPath(config.GetString("data-dir")),
            Journal = config.GetString("journal", ""),
            AcceptEmptyDataDir = config.GetBoolean("accept-empty-data-dir", false),
            NumPartitions = config.GetInt("num-partitions"),
            DefaultReplicationFactor = config.GetInt("default-replication-factor"),
            MinInsyncReplicas = config.GetInt("min-insync-replicas"),
            ReplicaLagTimeMax = config.GetTimeSpan("replication.lag-time-max"),
            ReplicaFetchWaitMax = config.GetTimeSpan("replication.fetch-wait-max"),
            ReplicaFetchMaxBytes = config.GetInt("replication.fetch-max-bytes"),
            ReplicaFetchBackoff = config.GetTimeSpan("replication.fetch-backoff"),
            AutoCreateTopicsEnable = config.GetBoolean("auto-create-topics-enable"),
            RequestTimeout = config.GetTimeSpan("request-timeout"),
            MaxFetchResponseBytes = config.GetInt("max-fetch-response-bytes"),
            LogDefaults = LogConfig.Default with
            {
                SegmentBytes = config.GetInt("log.segment-bytes"),
                SegmentMs = config.GetLong("log.segment-ms"),
                RetentionMs = config.GetLong("log.retention-ms"),
                RetentionBytes = config.GetLong("log.retention-bytes"),
                MaxMessageBytes = config.GetInt("log.max-message-bytes"),
                FlushMessages = config.GetLong("log.flush-messages"),
                FlushMs = config.GetLong("log.flush-ms"),
                IndexIntervalBytes = config.GetInt("log.index-interval-bytes"),
            },
            RetentionCheckInterval = config.GetTimeSpan("log.retention-check-interval"),
            PartitionSnapshotInterval = config.GetTimeSpan("partition.snapshot-interval"),
            Group = new GroupCoordinatorConfig
            {
                OffsetsRetentionMs = config.GetLong("group.offsets-retention-minutes") * 60_000,
                MinSessionTimeoutMs = config.GetInt("group.min-session-timeout-ms"),
                MaxSessionTimeoutMs = config.GetInt("group.max-session-timeout-ms"),
                InitialRebalanceDelayMs = (int)config.GetTimeSpan("group.initial-rebalance-delay").TotalMilliseconds,
                OffsetMetadataMaxBytes = config.GetInt("group.offset-metadata-max-bytes"),
            },
            OffsetsRetentionCheckInterval = config.GetTimeSpan("group.offsets-retention-check-interval"),
        };

        Require(settings.NodeId >= 0, "node-id", "must be ≥ 0");
        Require(settings.Host.Length > 0, "host", "must not be empty");
        Require(settings.Port is >= 0 and < 65536, "port", "must be a TCP port (0: any free port)");
        Require(settings.KafkaPort is >= 0 and < 65536, "kafka-port", "must be a TCP port (0: any free port)");
        Require(settings.NumPartitions >= 1, "num-partitions", "must be ≥ 1");
        Require(settings.DefaultReplicationFactor >= 1, "default-replication-factor", "must be ≥ 1");
        Require(settings.MinInsyncReplicas >= 1, "min-insync-replicas", "must be ≥ 1");
        Require(settings.MaxFetchResponseBytes >= 1024, "max-fetch-response-bytes", "must be ≥ 1024");
        Require(settings.LogDefaults.SegmentBytes >= 1024, "log.segment-bytes", "must be ≥ 1024");
        return settings;
    }

    private static void Require(bool condition, string key, string rule)
    {
        if (!condition)
        {
            throw new ConfigurationException($"actorstream.broker.{key} {rule}");
        }
    }
}
