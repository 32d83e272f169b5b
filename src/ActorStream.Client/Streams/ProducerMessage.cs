using ActorStream.Storage.Records;

namespace ActorStream.Client.Streams;

/// <summary>A record for the producer stages.</summary>
public sealed record ProducerMessage<TKey, TValue>(string Topic, TKey? Key, TValue Value)
{
    public int? Partition { get; init; }

    public long? Timestamp { get; init; }

    public IReadOnlyList<RecordHeader>? Headers { get; init; }
}
