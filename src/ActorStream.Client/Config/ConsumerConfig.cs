namespace ActorStream.Client.Config;

/// <summary>Consumer settings with Kafka's names and defaults. Only assignment (no group membership) exists so far.</summary>
public sealed record ConsumerConfig : ClientConfig
{
    /// <summary>
    /// Accepted and ignored until consumer groups arrive (commits, heartbeats, assignors), plus deserializer class
    /// names (the typed API takes deserializers) and Kafka network tuning.
    /// </summary>
    public static readonly IReadOnlySet<string> IgnoredProperties = Ignored(
        "key.deserializer", "value.deserializer", "enable.auto.commit", "auto.commit.interval.ms",
        "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms", "partition.assignment.strategy",
        "group.instance.id", "group.protocol", "isolation.level", "allow.auto.create.topics", "client.rack");

    public ConsumerConfig()
    {
    }

    private ConsumerConfig(PropertyReader p)
        : base(p)
    {
        GroupId = p.StringOrNull("group.id");
        FetchMinBytes = p.Int("fetch.min.bytes", FetchMinBytes, min: 0);
        FetchMaxWaitMs = p.Int("fetch.max.wait.ms", FetchMaxWaitMs, min: 0);
        MaxPartitionFetchBytes = p.Int("max.partition.fetch.bytes", MaxPartitionFetchBytes, min: 0);
        FetchMaxBytes = p.Int("fetch.max.bytes", FetchMaxBytes, min: 0);
        MaxPollRecords = p.Int("max.poll.records", MaxPollRecords, min: 1);
        AutoOffsetReset = p.Parse("auto.offset.reset", AutoOffsetReset, ParseReset);
        CheckCrcs = p.BoolOrNull("check.crcs") ?? CheckCrcs;
    }

    /// <summary><c>group.id</c>: kept for consumer groups (a later feature); assignment ignores it.</summary>
    public string? GroupId { get; init; }

    /// <summary><c>fetch.min.bytes</c>: the broker waits for this much data (up to fetch.max.wait.ms).</summary>
    public int FetchMinBytes { get; init; } = 1;

    /// <summary><c>fetch.max.wait.ms</c>.</summary>
    public int FetchMaxWaitMs { get; init; } = 500;

    /// <summary><c>max.partition.fetch.bytes</c>: per partition per fetch.</summary>
    public int MaxPartitionFetchBytes { get; init; } = 1_048_576;

    /// <summary><c>fetch.max.bytes</c>: per fetch response (the broker caps one response at about 1 MiB anyway).</summary>
    public int FetchMaxBytes { get; init; } = 52_428_800;

    /// <summary><c>max.poll.records</c>: the most records one poll returns.</summary>
    public int MaxPollRecords { get; init; } = 500;

    /// <summary><c>auto.offset.reset</c>: latest (default), earliest or none.</summary>
    public AutoOffsetReset AutoOffsetReset { get; init; } = AutoOffsetReset.Latest;

    /// <summary><c>check.crcs</c>: verify each batch's CRC-32C.</summary>
    public bool CheckCrcs { get; init; } = true;

    public static ConsumerConfig FromProperties(IDictionary<string, string> properties)
    {
        var reader = new PropertyReader(properties);
        var config = new ConsumerConfig(reader);
        reader.ThrowOnUnknown(IgnoredProperties);
        config.Validate();
        return config;
    }

    public override void Validate()
    {
        base.Validate();
        ConfigValidation.InRange("fetch.min.bytes", FetchMinBytes, 0);
        ConfigValidation.InRange("fetch.max.wait.ms", FetchMaxWaitMs, 0);
        ConfigValidation.InRange("max.partition.fetch.bytes", MaxPartitionFetchBytes, 0);
        ConfigValidation.InRange("fetch.max.bytes", FetchMaxBytes, 0);
        ConfigValidation.InRange("max.poll.records", MaxPollRecords, 1);
        if (!Enum.IsDefined(AutoOffsetReset))
        {
            throw new ArgumentException($"Invalid auto.offset.reset {AutoOffsetReset}", "auto.offset.reset");
        }
    }

    private static AutoOffsetReset ParseReset(string text) => text.Trim().ToLowerInvariant() switch
    {
        "latest" => AutoOffsetReset.Latest,
        "earliest" => AutoOffsetReset.Earliest,
        "none" => AutoOffsetReset.None,
        _ => throw new ArgumentException("expected latest, earliest or none"),
    };
}
