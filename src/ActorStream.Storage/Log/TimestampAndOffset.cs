namespace ActorStream.Storage.Log;

/// <summary>The answer of <see cref="PartitionLog.OffsetForTimestamp"/>: the first record at or after a timestamp.</summary>
public readonly record struct TimestampAndOffset(long Timestamp, long Offset);
