using ActorStream.Client.Config;

namespace ActorStream.Client.Consumer;

/// <summary>What the consumer knows about one assigned partition.</summary>
internal sealed class PartitionState
{
    /// <summary>Offset of the next record to hand out; null until resolved by a seek or a reset.</summary>
    public long? Position { get; set; }

    /// <summary>A reset asked by SeekToBeginning/SeekToEnd or OFFSET_OUT_OF_RANGE; null uses auto.offset.reset.</summary>
    public AutoOffsetReset? PendingReset { get; set; }

    /// <summary>Raised for OFFSET_OUT_OF_RANGE with auto.offset.reset=none; thrown by the next poll.</summary>
    public ActorStreamException? Error { get; set; }
}
