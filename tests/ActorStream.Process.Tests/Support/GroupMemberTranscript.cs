using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorStream.Process.Tests.Support;

/// <summary>A record line of <c>consume --property print.partition=true --property print.offset=true</c>: the <paramref name="Index"/>-th line printed.</summary>
public sealed record PrintedRecord(int Index, int Partition, long Offset, string Value);

public enum MemberEventKind
{
    Assigned,
    Revoked,
    Lost,
    Committed,
    CommitFailed,
}

/// <summary>
/// A stderr line of <c>consume --group</c>: when (UTC), what, which partitions (with offsets for commits), and how many
/// records the process had printed by then (so the event sits between two known stdout lines).
/// </summary>
public sealed record MemberEvent(DateTime At, MemberEventKind Kind, IReadOnlyList<int> Partitions, IReadOnlyDictionary<int, long> Offsets, long PrintedBefore);

/// <summary>Everything one consumer process printed, parsed; lines that are neither a record nor an event are <see cref="Unparsed"/>.</summary>
public sealed partial class GroupMemberTranscript
{
    private GroupMemberTranscript(IReadOnlyList<PrintedRecord> records, IReadOnlyList<MemberEvent> events, IReadOnlyList<string> unparsed)
    {
        Records = records;
        Events = events;
        Unparsed = unparsed;
    }

    public IReadOnlyList<PrintedRecord> Records { get; }

    public IReadOnlyList<MemberEvent> Events { get; }

    /// <summary>Stdout lines that are not records (stderr lines that are not events, like log warnings, are ignored).</summary>
    public IReadOnlyList<string> Unparsed { get; }

    public static GroupMemberTranscript Parse(string topic, string stdout, string stderr)
    {
        var records = new List<PrintedRecord>();
        var unparsed = new List<string>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')))
        {
            var match = RecordLine().Match(line);
            if (match.Success)
            {
                records.Add(new PrintedRecord(records.Count, Int(match.Groups["partition"].Value), long.Parse(match.Groups["offset"].Value, CultureInfo.InvariantCulture), match.Groups["value"].Value));
            }
            else
            {
                unparsed.Add(line);
            }
        }

        var events = new List<MemberEvent>();
        foreach (var line in stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')))
        {
            var match = EventLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var kind = match.Groups["kind"].Value switch
            {
                "assigned" => MemberEventKind.Assigned,
                "revoked" => MemberEventKind.Revoked,
                "lost" => MemberEventKind.Lost,
                "committed" => MemberEventKind.Committed,
                _ => MemberEventKind.CommitFailed,
            };
            var partitions = new List<int>();
            var offsets = new Dictionary<int, long>();
            foreach (var item in match.Groups["partitions"].Value.Split(','))
            {
                var at = item.LastIndexOf('@');
                var name = at < 0 ? item : item[..at];
                if (!name.StartsWith(topic + "-", StringComparison.Ordinal))
                {
                    throw new FormatException($"Event for another topic: {line}");
                }

                var partition = Int(name[(topic.Length + 1)..]);
                partitions.Add(partition);
                if (at >= 0)
                {
                    offsets[partition] = long.Parse(item[(at + 1)..], CultureInfo.InvariantCulture);
                }
            }

            var when = DateTime.ParseExact(match.Groups["at"].Value, "yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            events.Add(new MemberEvent(when, kind, partitions, offsets, long.Parse(match.Groups["printed"].Value, CultureInfo.InvariantCulture)));
        }

        return new GroupMemberTranscript(records, events, unparsed);
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^Partition:(?<partition>\d+)\tOffset:(?<offset>\d+)\t(?<value>.*)$")]
    private static partial Regex RecordLine();

    [GeneratedRegex(@"^(?<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z) (?<kind>assigned|revoked|lost|committed|commit failed) (?<partitions>[^\s:]+):?.* printed=(?<printed>\d+)$")]
    private static partial Regex EventLine();
}
