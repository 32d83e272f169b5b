using System.Text;

namespace ActorStream.Process.Tests.Support;

/// <summary>
/// The independent observer of a consumer-group churn test. It knows only what each member process printed (records on
/// stdout; assigned / revoked / lost / committed lines on stderr, with timestamps and printed counts) and when the test killed
/// or terminated each process; never the coordinator's state. From that it rebuilds every partition's hold intervals and
/// checks: no two holds of a partition overlap in time; every record printed lies inside a hold of its partition; within a
/// hold offsets are contiguous; each holder starts no later than its predecessors' last printed offset + 1 (nothing skipped)
/// and no earlier than the last offset committed before it took over (duplicates only after the last commit); every commit
/// covers only printed records; each value sits at a single partition and offset.
/// </summary>
public sealed class GroupChurnObserver
{
    private readonly List<string> _violations = [];
    private readonly List<PartitionHold> _holds = [];
    private readonly Dictionary<string, (int Partition, long Offset)> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<HoldEnd, int> _duplicatesAfter = [];
    private readonly int _partitions;

    public GroupChurnObserver(string topic, int partitions, IEnumerable<GroupMemberProcess> members)
    {
        _partitions = partitions;
        foreach (var member in members)
        {
            ReadMember(topic, member);
        }

        for (var p = 0; p < partitions; p++)
        {
            CheckPartition(p);
        }
    }

    public IReadOnlyList<string> Violations => _violations;

    public IReadOnlyList<PartitionHold> Holds => _holds;

    /// <summary>Records printed again by a successor, by how its predecessor's hold ended.</summary>
    public IReadOnlyDictionary<HoldEnd, int> DuplicatesAfter => _duplicatesAfter;

    public int CommitFailures { get; private set; }

    public IReadOnlySet<string> PrintedValues => _positions.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>Partitions not held by exactly one running member right now.</summary>
    public IReadOnlyList<int> PartitionsNotHeldByExactlyOne() =>
        Enumerable.Range(0, _partitions).Where(p => _holds.Count(h => h.Partition == p && h.End == HoldEnd.Open) != 1).ToList();

    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var hold in _holds.OrderBy(h => h.Partition).ThenBy(h => h.Start))
        {
            text.AppendLine(hold.ToString());
        }

        return text.ToString();
    }

    private void ReadMember(string topic, GroupMemberProcess member)
    {
        var transcript = member.Transcript(topic);
        foreach (var line in transcript.Unparsed)
        {
            _violations.Add($"{member.Name} printed a line that is not a record: '{line}'");
        }

        var open = new Dictionary<int, PartitionHold>();
        var memberHolds = new List<PartitionHold>();
        foreach (var e in transcript.Events)
        {
            switch (e.Kind)
            {
                case MemberEventKind.Assigned:
                    foreach (var p in e.Partitions)
                    {
                        if (open.ContainsKey(p))
                        {
                            _violations.Add($"{member.Name} was assigned p{p} at {e.At:O} while already holding it");
                            continue;
                        }

                        var hold = new PartitionHold(member.Name, p, e.At, e.PrintedBefore);
                        open[p] = hold;
                        memberHolds.Add(hold);
                    }

                    break;
                case MemberEventKind.Revoked or MemberEventKind.Lost:
                    foreach (var p in e.Partitions)
                    {
                        if (open.Remove(p, out var hold))
                        {
                            hold.Close(e.At, e.PrintedBefore, e.Kind == MemberEventKind.Lost ? HoldEnd.Lost : HoldEnd.Revoked);
                        }
                        else
                        {
                            _violations.Add($"{member.Name} reported p{p} {e.Kind} at {e.At:O} without holding it");
                        }
                    }

                    break;
                case MemberEventKind.Committed:
                    foreach (var (p, offset) in e.Offsets)
                    {
                        if (open.TryGetValue(p, out var hold))
                        {
                            hold.Commits.Add(offset);
                        }
                        else
                        {
                            _violations.Add($"{member.Name} committed p{p}@{offset} at {e.At:O} without holding it");
                        }
                    }

                    break;
                default:
                    CommitFailures++;
                    break;
            }
        }

        foreach (var hold in open.Values)
        {
            switch (member.End)
            {
                case MemberEnd.Killed:
                    hold.Close(member.EndedAt!.Value, long.MaxValue, HoldEnd.Killed);
                    break;
                case MemberEnd.Terminated:
                    hold.Close(member.EndedAt!.Value, long.MaxValue, HoldEnd.Exited);
                    break;
                default:
                    break; // still held
            }
        }

        foreach (var record in transcript.Records)
        {
            var hold = memberHolds.FirstOrDefault(h => h.Partition == record.Partition && h.StartIndex <= record.Index && record.Index < h.EndIndex);
            if (hold is null)
            {
                _violations.Add($"{member.Name} printed p{record.Partition}@{record.Offset} ({record.Value}) while not holding the partition");
            }
            else
            {
                hold.Offsets.Add(record.Offset);
            }

            if (_positions.TryGetValue(record.Value, out var seen) && seen != (record.Partition, record.Offset))
            {
                _violations.Add($"{record.Value} printed at p{seen.Partition}@{seen.Offset} and at p{record.Partition}@{record.Offset}");
            }

            _positions[record.Value] = (record.Partition, record.Offset);
        }

        _holds.AddRange(memberHolds);
    }

    private void CheckPartition(int partition)
    {
        var holds = _holds.Where(h => h.Partition == partition).OrderBy(h => h.Start).ToList();
        for (var i = 1; i < holds.Count; i++)
        {
            var (before, after) = (holds[i - 1], holds[i]);
            if (before.EndAt is not { } end || end >= after.Start)
            {
                _violations.Add($"p{partition} held twice at once: {before} and {after}");
            }
        }

        long lastPrinted = -1;
        long committed = 0;
        PartitionHold? predecessor = null;
        foreach (var hold in holds)
        {
            for (var k = 1; k < hold.Offsets.Count; k++)
            {
                if (hold.Offsets[k] != hold.Offsets[k - 1] + 1)
                {
                    _violations.Add($"p{partition}: {hold.Member} printed {hold.Offsets[k - 1]} then {hold.Offsets[k]} within one hold");
                }
            }

            foreach (var commit in hold.Commits.Where(c => !hold.Offsets.Contains(c - 1)))
            {
                _violations.Add($"p{partition}: {hold.Member} committed {commit} without having printed offset {commit - 1} in that hold");
            }

            if (hold.Offsets.Count > 0)
            {
                var first = hold.Offsets[0];
                if (first > lastPrinted + 1)
                {
                    _violations.Add($"p{partition}: {hold.Member} started at {first} but only up to {lastPrinted} was printed before: offsets skipped ({hold})");
                }

                if (first < committed)
                {
                    _violations.Add($"p{partition}: {hold.Member} started at {first}, before the committed offset {committed} ({hold})");
                }

                var duplicates = (int)Math.Max(0, Math.Min(lastPrinted, hold.Offsets[^1]) - first + 1);
                if (duplicates > 0)
                {
                    var after = predecessor?.End ?? HoldEnd.Open;
                    _duplicatesAfter[after] = _duplicatesAfter.GetValueOrDefault(after) + duplicates;
                }

                lastPrinted = Math.Max(lastPrinted, hold.Offsets[^1]);
            }

            if (hold.Commits.Count > 0)
            {
                committed = Math.Max(committed, hold.Commits.Max());
            }

            predecessor = hold;
        }
    }
}
