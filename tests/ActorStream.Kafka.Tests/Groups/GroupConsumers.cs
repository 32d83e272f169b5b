using System.Globalization;
using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// What the Confluent.Kafka group specs share: a consumer config with short group timings, records produced to
/// chosen partitions, and waits that name the consumers' state when they time out.
/// </summary>
public static class GroupConsumers
{
    /// <summary>Bounded: what a rebalance, a takeover or a read waits at most (generous: two loaded cores).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Within Kafka's default minimum and the group node's lowered one (<see cref="KafkaGroupNode"/>).</summary>
    public const int SessionTimeoutMs = KafkaGroupNode.SessionTimeoutMs;

    public const int HeartbeatIntervalMs = 500;

    /// <summary>
    /// A Subscribe consumer of <paramref name="groupId"/>: auto-commit on (every 5 s, and on revoke and close),
    /// heartbeats every 500 ms, a 6 s session, and a 30 s rebalance timeout (<c>max.poll.interval.ms</c>, which
    /// librdkafka sends as JoinGroup's rebalance timeout) so a stuck rebalance fails a test in seconds rather than
    /// Kafka's 5 minutes. <c>ACTORSTREAM_KAFKA_DEBUG=cgrp,protocol</c> turns on librdkafka's debug contexts.
    /// </summary>
    public static ConsumerConfig Config(string bootstrap, string groupId, string clientId, Action<ConsumerConfig>? configure = null)
    {
        var config = KafkaClients.ConsumerConfig(bootstrap);
        config.GroupId = groupId;
        config.ClientId = clientId;
        config.EnableAutoCommit = true;
        config.EnableAutoOffsetStore = true;
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        config.SessionTimeoutMs = SessionTimeoutMs;
        config.HeartbeatIntervalMs = HeartbeatIntervalMs;
        config.MaxPollIntervalMs = 30_000;
        config.TopicMetadataRefreshIntervalMs = 5_000;
        config.Debug = Environment.GetEnvironmentVariable("ACTORSTREAM_KAFKA_DEBUG");
        configure?.Invoke(config);
        return config;
    }

    /// <summary>A group id no other test uses.</summary>
    public static string UniqueGroup(string prefix) => KafkaNode.UniqueTopic("group-" + prefix);

    /// <summary>
    /// Produces <paramref name="perPartition"/> records to each of <paramref name="partitions"/> partitions (acks=all),
    /// values <c>TAG:PARTITION:INDEX</c>; returns the values in the order produced.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ProduceAsync(string bootstrap, string topic, int partitions, int perPartition, string tag, ITestOutputHelper output)
    {
        using var producer = KafkaClients.Producer<string, string>(KafkaClients.ProducerConfig(bootstrap), output);
        var values = new List<string>();
        var deliveries = new List<Task<DeliveryResult<string, string>>>();
        for (var index = 0; index < perPartition; index++)
        {
            for (var partition = 0; partition < partitions; partition++)
            {
                var value = string.Create(CultureInfo.InvariantCulture, $"{tag}:{partition}:{index}");
                values.Add(value);
                deliveries.Add(producer.ProduceAsync(new TopicPartition(topic, partition), new Message<string, string> { Key = value, Value = value }));
            }
        }

        var results = await Task.WhenAll(deliveries).WaitAsync(Patience);
        Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
        return values;
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds; on timeout fails naming <paramref name="what"/> and the state
    /// <paramref name="state"/> describes at that moment (the consumers, the node's output).
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, string what, Func<string> state, TimeSpan? timeout = null)
    {
        try
        {
            await Eventually.TrueAsync(condition, timeout ?? Patience, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{state()}", e);
        }
    }

    /// <summary>One line per consumer, for failure messages.</summary>
    public static string Describe(params GroupConsumer[] consumers) => string.Join("\n", consumers.Select(c => c.ToString()));

    /// <summary>
    /// True when every consumer holds some partition, and their assignments are disjoint and together cover partitions
    /// 0..<paramref name="partitions"/>-1.
    /// </summary>
    public static bool Split(int partitions, params GroupConsumer[] consumers)
    {
        var assigned = consumers.Select(c => c.AssignedPartitions).ToList();
        var all = assigned.SelectMany(p => p).ToList();
        return assigned.All(p => p.Count > 0) && all.Count == partitions && all.Distinct().Count() == partitions && all.All(p => p >= 0 && p < partitions);
    }

    /// <summary>The values <paramref name="consumer"/> received from <paramref name="partitions"/>, sorted.</summary>
    public static IReadOnlyList<string> ValuesFrom(GroupConsumer consumer, IEnumerable<int> partitions)
    {
        var wanted = partitions.ToHashSet();
        return consumer.Records.Where(r => wanted.Contains(r.Partition)).Select(r => r.Value).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The values of <paramref name="produced"/> (<c>TAG:PARTITION:INDEX</c>) on <paramref name="partitions"/>, sorted.</summary>
    public static IReadOnlyList<string> ProducedTo(IEnumerable<string> produced, IEnumerable<int> partitions)
    {
        var wanted = partitions.ToHashSet();
        return produced.Where(v => wanted.Contains(PartitionOf(v))).Order(StringComparer.Ordinal).ToList();
    }

    public static int PartitionOf(string value) => int.Parse(value.Split(':')[1], CultureInfo.InvariantCulture);
}
