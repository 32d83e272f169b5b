namespace ActorStream.Storage.Errors;

/// <summary>Base of every typed storage failure; carries the Kafka error code a broker answers with.</summary>
public abstract class StorageException : Exception
{
    protected StorageException(StorageErrorCode errorCode, string message, Exception? inner = null)
        : base(message, inner) => ErrorCode = errorCode;

    public StorageErrorCode ErrorCode { get; }
}

/// <summary>CORRUPT_MESSAGE: bad CRC, bad length, wrong magic, torn batch, undecodable payload.</summary>
public sealed class CorruptRecordException(string message, Exception? inner = null)
    : StorageException(StorageErrorCode.CorruptMessage, message, inner);

/// <summary>INVALID_RECORD: a well-formed batch whose contents break a rule (e.g. record count vs offsets).</summary>
public sealed class InvalidRecordException(string message)
    : StorageException(StorageErrorCode.InvalidRecord, message);

/// <summary>RECORD_TOO_LARGE: a batch larger than <c>max.message.bytes</c>.</summary>
public sealed class RecordTooLargeException(string message)
    : StorageException(StorageErrorCode.RecordTooLarge, message);

/// <summary>OFFSET_OUT_OF_RANGE: a read below the log start offset or above the log end offset.</summary>
public sealed class OffsetOutOfRangeException(string message)
    : StorageException(StorageErrorCode.OffsetOutOfRange, message);

/// <summary>KAFKA_STORAGE_ERROR: the disk failed us (I/O error, disk full). The log stays as it was before the failed call.</summary>
public sealed class KafkaStorageException(string message, Exception? inner = null)
    : StorageException(StorageErrorCode.KafkaStorageError, message, inner);
