using System.Collections.Immutable;

namespace ActorStream.Client.Streams;

/// <summary>
/// Offsets aggregated for one commit: the highest offset per group and partition. Immutable: <see cref="Updated"/>
/// returns a new batch. Committing sends one commit per consumer that read the offsets.
/// </summary>
public sealed class CommittableOffsetBatch : ICommittable
{
    private readonly ImmutableDictionary<(string GroupId, TopicPartition TopicPartition), CommittableOffset> _offsets;

    private CommittableOffsetBatch(ImmutableDictionary<(string GroupId, TopicPartition TopicPartition), CommittableOffset> offsets, long batchSize)
    {
        _offsets = offsets;
        BatchSize = batchSize;
    }

    public static CommittableOffsetBatch Empty { get; } = new(ImmutableDictionary<(string, TopicPartition), CommittableOffset>.Empty, 0);

    public long BatchSize { get; }

    /// <summary>The highest offset of each group and partition in the batch.</summary>
    public IReadOnlyCollection<PartitionOffset> Offsets => _offsets.Values.Select(o => o.PartitionOffset).ToList();

    /// <summary>This batch plus <paramref name="committable"/> (an offset or another batch).</summary>
    public CommittableOffsetBatch Updated(ICommittable committable)
    {
        ArgumentNullException.ThrowIfNull(committable);
        return committable switch
        {
            CommittableOffset offset => new CommittableOffsetBatch(Merge(_offsets, offset), BatchSize + 1),
            CommittableOffsetBatch batch => new CommittableOffsetBatch(batch._offsets.Values.Aggregate(_offsets, Merge), BatchSize + batch.BatchSize),
            _ => throw new ArgumentException($"Cannot batch a {committable.GetType().Name}", nameof(committable)),
        };
    }

    public Task CommitAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(_offsets.Values
            .GroupBy(o => o.Committer)
            .Select(byCommitter => byCommitter.Key.CommitAsync(
                byCommitter.ToDictionary(o => o.PartitionOffset.TopicPartition, o => o.PartitionOffset.Offset),
                cancellationToken)));

    public override string ToString() => $"CommittableOffsetBatch({BatchSize} records: {string.Join(", ", Offsets)})";

    private static ImmutableDictionary<(string GroupId, TopicPartition TopicPartition), CommittableOffset> Merge(
        ImmutableDictionary<(string GroupId, TopicPartition TopicPartition), CommittableOffset> offsets, CommittableOffset offset)
    {
        var key = (offset.PartitionOffset.GroupId, offset.PartitionOffset.TopicPartition);
        return offsets.TryGetValue(key, out var held) && held.PartitionOffset.Offset >= offset.PartitionOffset.Offset
            ? offsets
            : offsets.SetItem(key, offset);
    }
}
