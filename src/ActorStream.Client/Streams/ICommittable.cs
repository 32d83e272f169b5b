namespace ActorStream.Client.Streams;

/// <summary>
/// Something that can be committed to a consumer group: one <see cref="CommittableOffset"/> or a
/// <see cref="CommittableOffsetBatch"/> of them (Alpakka Kafka's Committable).
/// </summary>
public interface ICommittable
{
    /// <summary>How many consumed records this stands for (what <see cref="CommitterSettings.MaxBatch"/> counts).</summary>
    long BatchSize { get; }

    /// <summary>Commits the offsets; faults with the <see cref="ActorStreamException"/> of a refused commit.</summary>
    Task CommitAsync(CancellationToken cancellationToken = default);
}
