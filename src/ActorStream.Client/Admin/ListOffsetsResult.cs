namespace ActorStream.Client.Admin;

/// <summary>An offset found by ListOffsets, with the timestamp of its record (-1 for earliest/latest).</summary>
public sealed record ListOffsetsResult(long Offset, long Timestamp);
