namespace ActorStream.Kafka.Tests.Faults;

/// <summary>
/// Kafka's at-least-once promise for a consumer group, checked by offsets from what the consumers logged: every
/// acknowledged record is consumed by some member (nothing skipped), and a member that gets a partition starts at or
/// after the last commit any member had acknowledged before (the committed offsets were kept), so records are read
/// twice only after the last commit.
/// </summary>
public static class GroupLedger
{
    /// <summary>Fails naming the first records (partition@offset) no member consumed.</summary>
    public static void AssertNothingSkipped(IEnumerable<AcknowledgedRecord> produced, IReadOnlyList<PolledGroupConsumer> consumers)
    {
        var consumed = consumers.SelectMany(c => c.Records).Select(r => (r.Partition, r.Offset)).ToHashSet();
        var skipped = produced.Where(r => !consumed.Contains((r.Partition, r.Offset))).OrderBy(r => r.Partition).ThenBy(r => r.Offset).ToList();
        Assert.True(
            skipped.Count == 0,
            $"{skipped.Count} acknowledged records consumed by no member, e.g. {string.Join(", ", skipped.Take(10).Select(r => $"{r.Partition}@{r.Offset} (sent at {r.SentAt.TotalSeconds:F1} s)"))}");
    }

    /// <summary>
    /// For every assignment of every consumer, the first record it consumed of each partition assigned: that offset
    /// must not be below the highest commit acknowledged (to any member) before the assignment. Returns how many
    /// (partition, offset) pairs were consumed more than once.
    /// </summary>
    public static int AssertAssignmentsStartAtTheLastCommit(IReadOnlyList<PolledGroupConsumer> consumers, Action<string> log)
    {
        var commits = consumers.SelectMany(c => c.Events.OfType<OffsetCommitted>()).ToList();
        foreach (var consumer in consumers)
        {
            var events = consumer.Events;
            for (var i = 0; i < events.Count; i++)
            {
                if (events[i] is not PartitionsAssigned assigned)
                {
                    continue;
                }

                foreach (var partition in assigned.Partitions)
                {
                    // The first record of this partition before the consumer gives it up again.
                    var first = events.Skip(i + 1)
                        .TakeWhile(e => !(e is PartitionsRevoked r && r.Partitions.Contains(partition)))
                        .OfType<RecordConsumed>()
                        .FirstOrDefault(r => r.Partition == partition);
                    if (first is null)
                    {
                        continue;
                    }

                    var committed = commits.Where(c => c.Partition == partition && c.At < assigned.At).Select(c => (long?)c.Offset).Max();
                    log($"consumer {consumer.Name} assigned partition {partition} at {assigned.At.TotalSeconds:F1} s: first read offset {first.Offset}, last commit before: {committed?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
                    Assert.True(
                        committed is null || first.Offset >= committed,
                        $"consumer {consumer.Name}, assigned partition {partition} at {assigned.At.TotalSeconds:F1} s, started at offset {first.Offset}: "
                        + $"below the offset {committed} committed (and acknowledged) before, so the committed offset was lost");
                }
            }
        }

        return consumers.SelectMany(c => c.Records).GroupBy(r => (r.Partition, r.Offset)).Count(g => g.Count() > 1);
    }
}
