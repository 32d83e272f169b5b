namespace ActorStream.Process.Tests.Support;

/// <summary>How a hold ended, as far as the member's own output and the test's kill/terminate times tell.</summary>
public enum HoldEnd
{
    /// <summary>Still held by a running member.</summary>
    Open,
    Revoked,
    Lost,
    Killed,

    /// <summary>The member exited (SIGTERM) without reporting the partition revoked.</summary>
    Exited,
}

/// <summary>
/// One stretch of time in which one member held one partition: from its <c>assigned</c> line to its <c>revoked</c> /
/// <c>lost</c> line, or to the confirmed kill/exit time; with the records it printed and the offsets it committed meanwhile.
/// </summary>
public sealed class PartitionHold(string member, int partition, DateTime start, long startIndex)
{
    public string Member { get; } = member;

    public int Partition { get; } = partition;

    public DateTime Start { get; } = start;

    /// <summary>Records with a stdout index from here on were printed during this hold.</summary>
    public long StartIndex { get; } = startIndex;

    public DateTime? EndAt { get; private set; }

    public long EndIndex { get; private set; } = long.MaxValue;

    public HoldEnd End { get; private set; } = HoldEnd.Open;

    public List<long> Offsets { get; } = [];

    public List<long> Commits { get; } = [];

    public void Close(DateTime at, long endIndex, HoldEnd end)
    {
        EndAt = at;
        EndIndex = endIndex;
        End = end;
    }

    public override string ToString() =>
        $"{Member} p{Partition} [{Start:HH:mm:ss.fff} .. {(EndAt is { } e ? e.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture) : "open")} {End}] " +
        $"offsets {(Offsets.Count == 0 ? "none" : $"{Offsets[0]}..{Offsets[^1]}")} commits {(Commits.Count == 0 ? "none" : string.Join(',', Commits))}";
}
