namespace ActorStream.Storage.Errors;

/// <summary>
/// The Kafka error codes the storage layer can raise. The numeric values are Kafka's
/// (<c>org.apache.kafka.common.protocol.Errors</c>): names may change, codes never do.
/// </summary>
public enum StorageErrorCode : short
{
    OffsetOutOfRange = 1,
    CorruptMessage = 2,
    RecordTooLarge = 10,
    KafkaStorageError = 56,
    InvalidRecord = 87,
}
