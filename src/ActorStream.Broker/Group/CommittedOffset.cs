namespace ActorStream.Broker.Group;

/// <summary>A committed offset: the next offset the group will read, with the committer's metadata string and the commit time (for retention).</summary>
public sealed record CommittedOffset(long Offset, string? Metadata, long CommitTimestampMs);
