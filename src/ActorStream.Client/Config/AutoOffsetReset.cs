namespace ActorStream.Client.Config;

/// <summary>Kafka's <c>auto.offset.reset</c>: where a consumer starts without a position, or after OFFSET_OUT_OF_RANGE.</summary>
public enum AutoOffsetReset
{
    Latest,
    Earliest,

    /// <summary>Fail with an <see cref="ActorStreamException"/> naming the partition instead of moving.</summary>
    None,
}
