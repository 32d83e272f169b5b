namespace ActorStream.Client.Producer;

/// <summary>The answer to a <see cref="ProduceRecord{TKey,TValue}"/>: where the record went, or why it was not stored.</summary>
public sealed record DeliveryReport(RecordMetadata? Metadata, Exception? Error, object? CorrelationId)
{
    public bool IsSuccess => Error is null;
}
