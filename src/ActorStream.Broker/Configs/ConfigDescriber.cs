using System.Globalization;
using ActorStream.Broker.Hosting;
using ActorStream.Broker.Partition;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Configs;

/// <summary>
/// Kafka's DescribeConfigs for a topic (every topic config <see cref="TopicConfigs"/> knows, its own value or the broker
/// default it falls back to) and for a broker (the node's settings under their Kafka names, read-only: broker configs are
/// static HOCON). A broker value equal to the built-in default (reference.conf) is DEFAULT_CONFIG, any other value
/// STATIC_BROKER_CONFIG.
/// </summary>
public static class ConfigDescriber
{
    private sealed record Entry(string Name, int Type, Func<BrokerSettings, string> Value, string Documentation);

    private static readonly Lazy<BrokerSettings> Defaults = new(() => BrokerSettings.Create(BrokerConfig.Reference.GetConfig("actorstream.broker")));

    /// <summary>Topic config → the broker config it defaults to.</summary>
    private static readonly Dictionary<string, Entry> TopicDefaults = new Dictionary<string, Entry>(StringComparer.Ordinal)
    {
        [TopicConfigs.CleanupPolicy] = new("log.cleanup.policy", ConfigType.List, _ => "delete", "Only delete (no compaction)"),
        [TopicConfigs.MinInsyncReplicas] = new("min.insync.replicas", ConfigType.Int, s => Str(s.MinInsyncReplicas), "In-sync replicas acks=all needs"),
        [TopicConfigs.UncleanLeaderElectionEnable] = new("unclean.leader.election.enable", ConfigType.Boolean, _ => "false", "Let an out-of-sync replica lead when no in-sync one is left (records may be lost)"),
        ["segment.bytes"] = new("log.segment.bytes", ConfigType.Int, s => Str(s.LogDefaults.SegmentBytes), "Roll the active segment at this size"),
        ["segment.ms"] = new("log.roll.ms", ConfigType.Long, s => Str(s.LogDefaults.SegmentMs), "Roll a non-empty active segment this old"),
        ["index.interval.bytes"] = new("log.index.interval.bytes", ConfigType.Int, s => Str(s.LogDefaults.IndexIntervalBytes), "Bytes between offset index entries"),
        ["segment.index.bytes"] = new("log.index.size.max.bytes", ConfigType.Int, s => Str(s.LogDefaults.SegmentIndexBytes), "Roll when the offset index reaches this size"),
        ["retention.ms"] = new("log.retention.ms", ConfigType.Long, s => Str(s.LogDefaults.RetentionMs), "Delete closed segments older than this (-1: keep)"),
        ["retention.bytes"] = new("log.retention.bytes", ConfigType.Long, s => Str(s.LogDefaults.RetentionBytes), "Delete the oldest segments while the partition is larger (-1: no limit)"),
        ["max.message.bytes"] = new("message.max.bytes", ConfigType.Int, s => Str(s.LogDefaults.MaxMessageBytes), "The largest record batch accepted"),
        ["flush.messages"] = new("log.flush.interval.messages", ConfigType.Long, s => Str(s.LogDefaults.FlushMessages), "fsync after this many records"),
        ["flush.ms"] = new("log.flush.interval.ms", ConfigType.Long, s => Str(s.LogDefaults.FlushMs), "fsync when the oldest unflushed record is this old"),
    };

    private static readonly IReadOnlyList<Entry> BrokerEntries =
    [
        new("broker.id", ConfigType.Int, s => Str(s.NodeId), "actorstream.broker.node-id"),
        new("node.id", ConfigType.Int, s => Str(s.NodeId), "actorstream.broker.node-id"),
        new("num.partitions", ConfigType.Int, s => Str(s.NumPartitions), "actorstream.broker.num-partitions"),
        new("default.replication.factor", ConfigType.Int, s => Str(s.DefaultReplicationFactor), "actorstream.broker.default-replication-factor"),
        new("min.insync.replicas", ConfigType.Int, s => Str(s.MinInsyncReplicas), "actorstream.broker.min-insync-replicas"),
        new("auto.create.topics.enable", ConfigType.Boolean, s => Str(s.AutoCreateTopicsEnable), "actorstream.broker.auto-create-topics-enable"),
        new("log.dirs", ConfigType.String, s => s.LogsDir, "actorstream.broker.data-dir (+ /logs)"),
        new("log.dir", ConfigType.String, s => s.LogsDir, "actorstream.broker.data-dir (+ /logs)"),
        new("log.retention.ms", ConfigType.Long, s => Str(s.LogDefaults.RetentionMs), "actorstream.broker.log.retention-ms"),
        new("log.retention.bytes", ConfigType.Long, s => Str(s.LogDefaults.RetentionBytes), "actorstream.broker.log.retention-bytes"),
        new("log.segment.bytes", ConfigType.Int, s => Str(s.LogDefaults.SegmentBytes), "actorstream.broker.log.segment-bytes"),
        new("log.roll.ms", ConfigType.Long, s => Str(s.LogDefaults.SegmentMs), "actorstream.broker.log.segment-ms"),
        new("message.max.bytes", ConfigType.Int, s => Str(s.LogDefaults.MaxMessageBytes), "actorstream.broker.log.max-message-bytes"),
        new("log.flush.interval.messages", ConfigType.Long, s => Str(s.LogDefaults.FlushMessages), "actorstream.broker.log.flush-messages"),
        new("log.flush.interval.ms", ConfigType.Long, s => Str(s.LogDefaults.FlushMs), "actorstream.broker.log.flush-ms"),
        new("log.index.interval.bytes", ConfigType.Int, s => Str(s.LogDefaults.IndexIntervalBytes), "actorstream.broker.log.index-interval-bytes"),
        new("log.index.size.max.bytes", ConfigType.Int, s => Str(s.LogDefaults.SegmentIndexBytes), "not configurable"),
        new("log.retention.check.interval.ms", ConfigType.Long, s => Ms(s.RetentionCheckInterval), "actorstream.broker.log.retention-check-interval"),
        new("log.cleanup.policy", ConfigType.List, _ => "delete", "not configurable: no compaction"),
        new("unclean.leader.election.enable", ConfigType.Boolean, _ => "false", "not configurable (a topic config)"),
        new("auto.leader.rebalance.enable", ConfigType.Boolean, _ => "true", "always on (akka.cluster.sharding.rebalance-interval)"),
        new("replica.lag.time.max.ms", ConfigType.Long, s => Ms(s.ReplicaLagTimeMax), "actorstream.broker.replication.lag-time-max"),
        new("replica.fetch.wait.max.ms", ConfigType.Int, s => Ms(s.ReplicaFetchWaitMax), "actorstream.broker.replication.fetch-wait-max"),
        new("replica.fetch.response.max.bytes", ConfigType.Int, s => Str(s.ReplicaFetchMaxBytes), "actorstream.broker.replication.fetch-max-bytes"),
        new("replica.fetch.backoff.ms", ConfigType.Int, s => Ms(s.ReplicaFetchBackoff), "actorstream.broker.replication.fetch-backoff"),
        new("offsets.retention.minutes", ConfigType.Int, s => Str(s.Group.OffsetsRetentionMs / 60_000), "actorstream.broker.group.offsets-retention-minutes"),
        new("offsets.retention.check.interval.ms", ConfigType.Long, s => Ms(s.OffsetsRetentionCheckInterval), "actorstream.broker.group.offsets-retention-check-interval"),
        new("group.min.session.timeout.ms", ConfigType.Int, s => Str(s.Group.MinSessionTimeoutMs), "actorstream.broker.group.min-session-timeout-ms"),
        new("group.max.session.timeout.ms", ConfigType.Int, s => Str(s.Group.MaxSessionTimeoutMs), "actorstream.broker.group.max-session-timeout-ms"),
        new("offset.metadata.max.bytes", ConfigType.Int, s => Str(s.Group.OffsetMetadataMaxBytes), "actorstream.broker.group.offset-metadata-max-bytes"),
    ];

    /// <summary>The Kafka names DescribeConfigs lists for a broker resource.</summary>
    public static IEnumerable<string> BrokerConfigNames => BrokerEntries.Select(e => e.Name);

    public static DescribeConfigsResult DescribeTopic(string name, TopicState? topic, BrokerSettings settings, IReadOnlyCollection<string> only)
    {
        var result = new DescribeConfigsResult { ResourceType = ConfigResourceType.Topic, ResourceName = name };
        if (topic is null)
        {
            result.ErrorCode = (int)ErrorCode.UnknownTopicOrPartition;
            result.ErrorMessage = $"Topic '{name}' does not exist";
            return result;
        }

        foreach (var config in TopicConfigs.Names.Where(n => only.Count == 0 || only.Contains(n)))
        {
            var fallback = TopicDefaults[config];
            var (brokerValue, brokerSource) = BrokerValue(fallback, settings);
            var entry = new DescribeConfigsEntry { Name = config, ConfigType = fallback.Type, Documentation = fallback.Documentation };
            if (topic.Configs.TryGetValue(config, out var own))
            {
                entry.Value = own;
                entry.ConfigSource = ConfigSource.TopicConfig;
                entry.Synonyms.Add(new ConfigSynonym { Name = config, Value = own, Source = ConfigSource.TopicConfig });
            }
            else
            {
                entry.Value = brokerValue;
                entry.ConfigSource = brokerSource;
            }

            entry.Synonyms.Add(new ConfigSynonym { Name = fallback.Name, Value = brokerValue, Source = brokerSource });
            if (brokerSource == ConfigSource.StaticBrokerConfig)
            {
                entry.Synonyms.Add(new ConfigSynonym { Name = fallback.Name, Value = fallback.Value(Defaults.Value), Source = ConfigSource.DefaultConfig });
            }

            result.Configs.Add(entry);
        }

        return result;
    }

    public static DescribeConfigsResult DescribeBroker(string name, BrokerSettings settings, IReadOnlyCollection<string> only)
    {
        var result = new DescribeConfigsResult { ResourceType = ConfigResourceType.Broker, ResourceName = name };
        foreach (var config in BrokerEntries.Where(e => only.Count == 0 || only.Contains(e.Name)))
        {
            var (value, source) = BrokerValue(config, settings);
            var entry = new DescribeConfigsEntry
            {
                Name = config.Name,
                Value = value,
                ConfigSource = source,
                ReadOnly = true,
                ConfigType = config.Type,
                Documentation = config.Documentation,
            };
            entry.Synonyms.Add(new ConfigSynonym { Name = config.Name, Value = value, Source = source });
            result.Configs.Add(entry);
        }

        return result;
    }

    private static (string Value, int Source) BrokerValue(Entry entry, BrokerSettings settings)
    {
        var value = entry.Value(settings);
        return (value, value == entry.Value(Defaults.Value) ? ConfigSource.DefaultConfig : ConfigSource.StaticBrokerConfig);
    }

    private static string Str(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Str(bool value) => value ? "true" : "false";

    private static string Ms(TimeSpan value) => Str((long)value.TotalMilliseconds);
}
