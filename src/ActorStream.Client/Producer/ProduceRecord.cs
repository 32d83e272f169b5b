using ActorStream.Storage.Records;

namespace ActorStream.Client.Producer;

/// <summary>Marker of the record messages a producer actor accepts (see <see cref="ProduceRecord{TKey,TValue}"/>).</summary>
public interface IProduceRecord
{
    /// <summary>Echoed in the <see cref="DeliveryReport"/>, so the sender can match reports to records.</summary>
    object? CorrelationId { get; }
}

/// <summary>
/// Tell this to <see cref="Producer{TKey,TValue}.ActorRef"/> to produce a record from an actor; the sender gets a
/// <see cref="DeliveryReport"/> back. The key and value types must be the producer's.
/// </summary>
public sealed record ProduceRecord<TKey, TValue>(string Topic, TKey? Key, TValue Value) : IProduceRecord
{
    public int? Partition { get; init; }

    public long? Timestamp { get; init; }

    public IReadOnlyList<RecordHeader>? Headers { get; init; }

    public object? CorrelationId { get; init; }
}
