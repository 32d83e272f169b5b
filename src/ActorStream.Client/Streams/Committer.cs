using Akka;
using Akka.Streams.Dsl;

namespace ActorStream.Client.Streams;

/// <summary>Stages that commit the offsets of processed records, batched (at-least-once pipelines).</summary>
public static class Committer
{
    /// <summary>
    /// Aggregates offsets until <see cref="CommitterSettings.MaxBatch"/> records or <see cref="CommitterSettings.MaxInterval"/>,
    /// commits, and emits each batch once committed. At most <see cref="CommitterSettings.Parallelism"/> commits are in flight;
    /// a refused commit fails the stream; on upstream completion what is aggregated is committed before completing.
    /// </summary>
    public static Flow<ICommittable, CommittableOffsetBatch, NotUsed> Flow(CommitterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        return Akka.Streams.Dsl.Flow.Create<ICommittable>()
            .GroupedWeightedWithin(settings.MaxBatch, settings.MaxBatch, settings.MaxInterval, c => c.BatchSize)
            .Select(group => group.Aggregate(CommittableOffsetBatch.Empty, (batch, committable) => batch.Updated(committable)))
            .SelectAsync(settings.Parallelism, async batch =>
            {
                await batch.CommitAsync().ConfigureAwait(false);
                return batch;
            });
    }

    /// <summary><see cref="Flow"/> into a sink: the task completes once everything received is committed, or faults on a refused commit.</summary>
    public static Sink<ICommittable, Task<Done>> Sink(CommitterSettings settings) =>
        Flow(settings).ToMaterialized(Akka.Streams.Dsl.Sink.Ignore<CommittableOffsetBatch>(), Keep.Right);
}
