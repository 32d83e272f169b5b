namespace ActorStream.Client.Streams;

/// <summary>How <see cref="Committer"/> batches commits (Alpakka Kafka's names and defaults).</summary>
public sealed record CommitterSettings
{
    public static CommitterSettings Default { get; } = new();

    /// <summary>Commit once this many records' offsets are aggregated.</summary>
    public int MaxBatch { get; init; } = 1000;

    /// <summary>Commit what is aggregated at least this often.</summary>
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The most commits in flight; more offsets backpressure.</summary>
    public int Parallelism { get; init; } = 100;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBatch, nameof(MaxBatch));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxInterval, TimeSpan.Zero, nameof(MaxInterval));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Parallelism, nameof(Parallelism));
    }
}
