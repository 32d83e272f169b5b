namespace ActorStream.Storage.Records;

/// <summary>A record header: a UTF-8 key and a value that may be null (headers are small, so values are arrays).</summary>
public readonly record struct RecordHeader(string Key, byte[]? Value);
