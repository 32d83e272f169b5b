namespace ActorStream.Client.Admin;

/// <summary>The reset strategies of kafka-consumer-groups <c>--reset-offsets</c>.</summary>
public enum OffsetResetStrategy
{
    /// <summary><c>--to-earliest</c>: the log start offset.</summary>
    ToEarliest,

    /// <summary><c>--to-latest</c>: the log end offset.</summary>
    ToLatest,

    /// <summary><c>--to-offset N</c>: offset N.</summary>
    ToOffset,

    /// <summary><c>--to-datetime</c>: the first record at or after a time; the log end offset when every record is older.</summary>
    ToDateTime,

    /// <summary><c>--shift-by N</c>: the committed offset + N (N may be negative).</summary>
    ShiftBy,
}

/// <summary>
/// Where <see cref="OffsetResetPlanner"/> moves a group's committed offsets. Every target is clamped to
/// [log start offset, log end offset] as Kafka does.
/// </summary>
public sealed record OffsetResetSpec
{
    private OffsetResetSpec(OffsetResetStrategy strategy, long value)
    {
        Strategy = strategy;
        Value = value;
    }

    public OffsetResetStrategy Strategy { get; }

    /// <summary>The offset (<see cref="OffsetResetStrategy.ToOffset"/>), Unix time in ms (<see cref="OffsetResetStrategy.ToDateTime"/>) or shift; 0 otherwise.</summary>
    public long Value { get; }

    public static OffsetResetSpec ToEarliest() => new(OffsetResetStrategy.ToEarliest, 0);

    public static OffsetResetSpec ToLatest() => new(OffsetResetStrategy.ToLatest, 0);

    public static OffsetResetSpec ToOffset(long offset) => new(OffsetResetStrategy.ToOffset, offset);

    public static OffsetResetSpec ToDateTime(DateTimeOffset time)
    {
        var ms = time.ToUnixTimeMilliseconds();
        ArgumentOutOfRangeException.ThrowIfNegative(ms, nameof(time));
        return new(OffsetResetStrategy.ToDateTime, ms);
    }

    public static OffsetResetSpec ShiftBy(long shift) => new(OffsetResetStrategy.ShiftBy, shift);

    public override string ToString() => Strategy switch
    {
        OffsetResetStrategy.ToEarliest => "to-earliest",
        OffsetResetStrategy.ToLatest => "to-latest",
        OffsetResetStrategy.ToOffset => $"to-offset {Value}",
        OffsetResetStrategy.ToDateTime => $"to-datetime {DateTimeOffset.FromUnixTimeMilliseconds(Value):O}",
        _ => $"shift-by {Value}",
    };
}
