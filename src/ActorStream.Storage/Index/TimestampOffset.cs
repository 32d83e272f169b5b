namespace ActorStream.Storage.Index;

/// <summary>A time index entry: records up to <see cref="Offset"/> have timestamps ≤ <see cref="Timestamp"/>.</summary>
public readonly record struct TimestampOffset(long Timestamp, long Offset);
