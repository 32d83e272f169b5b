namespace ActorStream.Client.Admin;

/// <summary>
/// Computes the new committed offsets of a consumer group for an <see cref="OffsetResetSpec"/>, as
/// kafka-consumer-groups <c>--reset-offsets</c> does before it applies them: reads log start and end offsets (and, by
/// strategy, offsets by timestamp or the group's committed offsets) and changes nothing. Apply the plan with
/// <see cref="AdminClient.AlterConsumerGroupOffsetsAsync"/>.
/// </summary>
public sealed class OffsetResetPlanner(AdminClient admin)
{
    /// <summary>The target offset of every selected partition.</summary>
    /// <exception cref="ActorStreamException">A topic or a selected partition does not exist (UNKNOWN_TOPIC_OR_PARTITION).</exception>
    /// <exception cref="InvalidOperationException">
    /// <see cref="OffsetResetStrategy.ShiftBy"/> for a partition without a committed offset: there is nothing to shift, and
    /// Kafka's tool refuses the whole reset the same way rather than guess a starting point.
    /// </exception>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> PlanAsync(
        string groupId,
        IEnumerable<TopicPartitionSelection> topics,
        OffsetResetSpec spec,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(spec);
        var partitions = await PartitionsAsync(topics.ToList(), cancellationToken).ConfigureAwait(false);
        if (partitions.Count == 0)
        {
            return new Dictionary<TopicPartition, long>();
        }

        var starts = await OffsetsAsync(partitions, OffsetSpec.Earliest, cancellationToken).ConfigureAwait(false);
        var ends = await OffsetsAsync(partitions, OffsetSpec.Latest, cancellationToken).ConfigureAwait(false);
        var byTime = spec.Strategy == OffsetResetStrategy.ToDateTime
            ? await OffsetsAsync(partitions, spec.Value, cancellationToken).ConfigureAwait(false)
            : null;
        var committed = spec.Strategy == OffsetResetStrategy.ShiftBy
            ? await admin.ListConsumerGroupOffsetsAsync(groupId, partitions, cancellationToken).ConfigureAwait(false)
            : null;
        return partitions.ToDictionary(tp => tp, tp =>
        {
            long? current = committed is not null && committed.TryGetValue(tp, out var c) ? c : null;
            if (spec.Strategy == OffsetResetStrategy.ShiftBy && current is null)
            {
                throw new InvalidOperationException($"Cannot shift the offset of {tp} in group '{groupId}': the group has no committed offset for it");
            }

            return Target(spec, starts[tp], ends[tp], current, byTime?[tp]);
        });
    }

    /// <summary>
    /// One partition's target: the strategy's offset clamped to [<paramref name="logStart"/>, <paramref name="logEnd"/>].
    /// <paramref name="offsetForTime"/> is ListOffsets' answer for the spec's time (-1 or null: no record that late, so the
    /// log end offset, as Kafka does); <paramref name="committed"/> the group's offset, needed for shift-by only.
    /// </summary>
    public static long Target(OffsetResetSpec spec, long logStart, long logEnd, long? committed, long? offsetForTime)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var wanted = spec.Strategy switch
        {
            OffsetResetStrategy.ToEarliest => logStart,
            OffsetResetStrategy.ToLatest => logEnd,
            OffsetResetStrategy.ToOffset => spec.Value,
            OffsetResetStrategy.ToDateTime => offsetForTime is >= 0 and { } found ? found : logEnd,
            OffsetResetStrategy.ShiftBy => SaturatingAdd(committed ?? throw new ArgumentNullException(nameof(committed), "shift-by needs the committed offset"), spec.Value),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Strategy, "Unknown reset strategy"),
        };
        return Math.Clamp(wanted, logStart, Math.Max(logStart, logEnd));
    }

    private static long SaturatingAdd(long offset, long shift) =>
        shift > 0 && offset > long.MaxValue - shift ? long.MaxValue
        : shift < 0 && offset < long.MinValue - shift ? long.MinValue
        : offset + shift;

    private async Task<List<TopicPartition>> PartitionsAsync(List<TopicPartitionSelection> selections, CancellationToken cancellationToken)
    {
        if (selections.Count == 0)
        {
            return [];
        }

        var descriptions = await admin.DescribeTopicsAsync(selections.Select(s => s.Topic).Distinct(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
        var existing = descriptions.ToDictionary(d => d.Name, d => d.Partitions.Select(p => p.Partition).ToHashSet(), StringComparer.Ordinal);
        var result = new SortedSet<TopicPartition>(Comparer<TopicPartition>.Create((a, b) =>
        {
            var byTopic = string.CompareOrdinal(a.Topic, b.Topic);
            return byTopic != 0 ? byTopic : a.Partition.CompareTo(b.Partition);
        }));
        foreach (var selection in selections)
        {
            var all = existing[selection.Topic];
            foreach (var partition in selection.Partitions ?? [.. all])
            {
                if (!all.Contains(partition))
                {
                    var tp = new TopicPartition(selection.Topic, partition);
                    throw ActorStreamException.For(tp, Protocol.ErrorCode.UnknownTopicOrPartition, $"Topic '{selection.Topic}' has no partition {partition} (it has {all.Count})");
                }

                result.Add(new TopicPartition(selection.Topic, partition));
            }
        }

        return [.. result];
    }

    private async Task<IReadOnlyDictionary<TopicPartition, long>> OffsetsAsync(List<TopicPartition> partitions, long timestamp, CancellationToken cancellationToken)
    {
        var found = await admin.ListOffsetsAsync(partitions.ToDictionary(tp => tp, _ => timestamp), cancellationToken).ConfigureAwait(false);
        return found.ToDictionary(f => f.Key, f => f.Value.Offset);
    }
}
