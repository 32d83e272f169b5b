namespace ActorStream.Storage.Index;

/// <summary>An offset index entry: the batch starting at <see cref="Offset"/> begins at byte <see cref="Position"/> of its segment.</summary>
public readonly record struct OffsetPosition(long Offset, int Position);
