namespace ActorStream.Storage.Log;

/// <summary>What an append stored: the offsets it assigned and its timestamps.</summary>
public readonly record struct LogAppendInfo(
    long FirstOffset,
    long LastOffset,
    long MaxTimestamp,
    long OffsetOfMaxTimestamp,
    int RecordCount,
    int BatchCount,
    int SizeInBytes);
