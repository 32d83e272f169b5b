using ActorStream.Storage.Records;

namespace ActorStream.Client.Producer;

/// <summary>A Kafka-style producer: records are batched per partition and sent per node; each call completes when its record is stored.</summary>
public interface IProducer<TKey, TValue> : IAsyncDisposable
{
    /// <summary>
    /// Produces one record. Waits (up to <c>max.block.ms</c>) for metadata and buffer space, then completes when the
    /// broker stored the record (<c>acks</c>) or faults with an <see cref="ActorStreamException"/> carrying the error.
    /// The cancellation token only cancels the waiting before the record is accepted.
    /// </summary>
    Task<RecordMetadata> ProduceAsync(
        string topic,
        TKey? key,
        TValue value,
        int? partition = null,
        long? timestamp = null,
        IReadOnlyList<RecordHeader>? headers = null,
        CancellationToken cancellationToken = default);

    /// <summary>Sends every buffered record now and waits until all records produced so far are settled.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Like <see cref="FlushAsync"/>; returns false when <paramref name="timeout"/> passed first.</summary>
    bool Flush(TimeSpan timeout);
}
