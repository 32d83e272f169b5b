namespace ActorStream.Client.Admin;

/// <summary>Special ListOffsets timestamps; any other value finds the first offset with a timestamp at or after it.</summary>
public static class OffsetSpec
{
    /// <summary>The log start offset.</summary>
    public const long Earliest = -2;

    /// <summary>The end of the log (the high watermark: the offset the next record gets).</summary>
    public const long Latest = -1;
}
