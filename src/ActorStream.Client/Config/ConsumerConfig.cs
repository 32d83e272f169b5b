namespace ActorStream.Client.Config;

/// <summary>Consumer settings with Kafka's names and defaults. Assign, or Subscribe with group.id.</summary>
public sealed record ConsumerConfig : ClientConfig
{
    /// <summary>
    /// Accepted and ignored until consumer groups arrive (commits, heartbeats, assignors), plus deserializer class
    /// names (the typed API takes deserializers) and Kafka network tuning.
    /// </summary>
    public static readonly IReadOnlySet<string> IgnoredProperties = Ignored(
        "key.deserializer", "value.deserializer", "group.protocol", "isolation.level", "allow.auto.create.topics", "client.rack");

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
        EnableAutoCommit = p.BoolOrNull("enable.auto.commit") ?? EnableAutoCommit;
        AutoCommitIntervalMs = p.Int("auto.commit.interval.ms", AutoCommitIntervalMs, min: 1);
        SessionTimeoutMs = p.Int("session.timeout.ms", SessionTimeoutMs, min: 1);
        HeartbeatIntervalMs = p.Int("heartbeat.interval.ms", HeartbeatIntervalMs, min: 1);
        MaxPollIntervalMs = p.Int("max.poll.interval.ms", MaxPollIntervalMs, min: 1);
        PartitionAssignmentStrategy = p.Parse("partition.assignment.strategy", PartitionAssignmentStrategy, ParseStrategy);
        GroupInstanceId = p.StringOrNull("group.instance.id");
    }

    /// <summary><c>enable.auto.commit</c>: commit positions every auto.commit.interval.ms, on rebalance and on close.</summary>
    public bool EnableAutoCommit { get; init; } = true;

    /// <summary><c>auto.commit.interval.ms</c>.</summary>
    public int AutoCommitIntervalMs { get; init; } = 5000;

    /// <summary><c>session.timeout.ms</c>.</summary>
    public int SessionTimeoutMs { get; init; } = 45_000;

    /// <summary><c>heartbeat.interval.ms</c>.</summary>
    public int HeartbeatIntervalMs { get; init; } = 3000;

    /// <summary><c>max.poll.interval.ms</c>: also the rebalance timeout sent with JoinGroup.</summary>
    public int MaxPollIntervalMs { get; init; } = 300_000;

    /// <summary><c>partition.assignment.strategy</c>: range (default), roundrobin or cooperative-sticky (Kafka class names accepted).</summary>
    public string PartitionAssignmentStrategy { get; init; } = "range";

    /// <summary><c>group.instance.id</c>: static membership.</summary>
    public string? GroupInstanceId { get; init; }

    /// <summary><c>group.id</c>: needed by Subscribe and Commit; Assign ignores it.</summary>
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

    public static ConsumerConfig FromProperties(IDictionary<string, string> properties) =>
        Load(properties, reader => new ConsumerConfig(reader), IgnoredProperties);

    public override void Validate()
    {
        base.Validate();
        ConfigValidation.InRange("fetch.min.bytes", FetchMinBytes, 0);
        ConfigValidation.InRange("fetch.max.wait.ms", FetchMaxWaitMs, 0);
        ConfigValidation.InRange("max.partition.fetch.bytes", MaxPartitionFetchBytes, 0);
        ConfigValidation.InRange("fetch.max.bytes", FetchMaxBytes, 0);
        ConfigValidation.InRange("max.poll.records", MaxPollRecords, 1);
        ConfigValidation.InRange("auto.commit.interval.ms", AutoCommitIntervalMs, 1);
        ConfigValidation.InRange("session.timeout.ms", SessionTimeoutMs, 1);
        ConfigValidation.InRange("heartbeat.interval.ms", HeartbeatIntervalMs, 1);
        ConfigValidation.InRange("max.poll.interval.ms", MaxPollIntervalMs, 1);
        ParseStrategy(PartitionAssignmentStrategy);
        if (!Enum.IsDefined(AutoOffsetReset))
        {
            throw new ArgumentException($"Invalid auto.offset.reset {AutoOffsetReset}", "auto.offset.reset");
        }
    }

    /// <summary>Kafka's assignor names or class names (comma-separated list: the first is used), normalized.</summary>
    internal static string ParseStrategy(string text)
    {
        var first = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
            ?? throw new ArgumentException("expected range, roundrobin or cooperative-sticky");
        var name = first[(first.LastIndexOf('.') + 1)..].ToLowerInvariant();
        return name switch
        {
            "range" or "rangeassignor" => "range",
            "roundrobin" or "roundrobinassignor" => "roundrobin",
            "cooperative-sticky" or "cooperativestickyassignor" => "cooperative-sticky",
            _ => throw new ArgumentException("expected range, roundrobin or cooperative-sticky (or a Kafka assignor class name)"),
        };
    }

    private static AutoOffsetReset ParseReset(string text) => text.Trim().ToLowerInvariant() switch
    {
        "latest" => AutoOffsetReset.Latest,
        "earliest" => AutoOffsetReset.Earliest,
        "none" => AutoOffsetReset.None,
        _ => throw new ArgumentException("expected latest, earliest or none"),
    };
}
