namespace ActorStream.Storage.Records;

/// <summary>Attribute bit 3 of a batch: who set the timestamps.</summary>
public enum TimestampType
{
    CreateTime = 0,
    LogAppendTime = 1,
}
