namespace ActorStream.Broker.Group;

/// <summary>
/// Settings of the pure group coordinator, with Kafka's names and defaults. The actor layer builds it from
/// <c>actorstream.broker.group</c> in HOCON.
/// </summary>
public sealed record GroupCoordinatorConfig
{
    public static GroupCoordinatorConfig Default { get; } = new();

    /// <summary><c>offsets.retention.minutes</c> (7 days): how long an Empty group's committed offsets live.</summary>
    public long OffsetsRetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>group.min.session.timeout.ms</c>.</summary>
    public int MinSessionTimeoutMs { get; init; } = 6_000;

    /// <summary><c>group.max.session.timeout.ms</c>.</summary>
    public int MaxSessionTimeoutMs { get; init; } = 1_800_000;

    /// <summary><c>offset.metadata.max.bytes</c>: a longer metadata string is rejected.</summary>
    public int OffsetMetadataMaxBytes { get; init; } = 4096;

    /// <summary>
    /// <c>group.initial.rebalance.delay.ms</c>: an Empty group's first round waits this long for more members (each new member
    /// extends it by as much again, within the rebalance timeout). 0 here and in reference.conf (Kafka's default is 3000).
    /// </summary>
    public int InitialRebalanceDelayMs { get; init; }
}
