using System.Globalization;
using ActorStream.Client;
using ActorStream.Client.Consumer;

namespace ActorStream.Cli.Commands;

/// <summary>
/// The at-least-once bookkeeping of <c>consume --group</c>: remembers, per partition, the offset after the last record
/// printed and commits it (every <c>auto.commit.interval.ms</c> for the partitions still assigned, for revoked partitions
/// before they are given up, and on exit), always after flushing stdout, so a commit never covers an unprinted record.
/// Rebalances and commits are reported on stderr as single lines: a UTC timestamp, the event, the partitions, and how many
/// records this command had printed by then (which places the event between two stdout lines).
/// </summary>
internal sealed class PrintedOffsetCommitter(IConsumer<byte[]?, byte[]?> consumer, TextWriter output, TextWriter log, TimeSpan interval)
    : IConsumerRebalanceListener
{
    private readonly Dictionary<TopicPartition, long> _printed = [];
    private readonly Dictionary<TopicPartition, long> _committed = [];
    private DateTime _nextCommit = DateTime.UtcNow + interval;

    /// <summary>Records printed so far.</summary>
    public long Count { get; private set; }

    /// <summary>Notes that the record at <paramref name="offset"/> was written to the output.</summary>
    public void Printed(string topic, int partition, long offset)
    {
        _printed[new TopicPartition(topic, partition)] = offset + 1;
        Count++;
    }

    /// <summary>The periodic commit: once per interval, the printed offsets of the partitions still assigned.</summary>
    public async Task CommitIfDueAsync(CancellationToken cancellationToken)
    {
        if (DateTime.UtcNow < _nextCommit)
        {
            return;
        }

        _nextCommit = DateTime.UtcNow + interval;
        await CommitAsync(consumer.Assignment, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The final commit on exit: the printed offsets of the partitions still assigned.</summary>
    public Task CommitAssignedAsync(CancellationToken cancellationToken) => CommitAsync(consumer.Assignment, cancellationToken);

    public void OnPartitionsAssigned(IReadOnlyCollection<TopicPartition> partitions) => Report("assigned " + Describe(partitions));

    /// <summary>Runs inside poll on the consumer's thread, before the partitions are given up: commits what was printed of them.</summary>
    public void OnPartitionsRevoked(IReadOnlyCollection<TopicPartition> partitions)
    {
        CommitAsync(partitions, CancellationToken.None).GetAwaiter().GetResult();
        Forget(partitions);
        Report("revoked " + Describe(partitions));
    }

    /// <summary>The membership expired: a commit would be refused, and another member may already own them.</summary>
    public void OnPartitionsLost(IReadOnlyCollection<TopicPartition> partitions)
    {
        Forget(partitions);
        Report("lost " + Describe(partitions));
    }

    // A partition assigned again later starts from the group's committed offset; committing the stale printed offset of an
    // earlier hold could move the group backwards (or skip what another member printed meanwhile).
    private void Forget(IEnumerable<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            _printed.Remove(tp);
            _committed.Remove(tp);
        }
    }

    private async Task CommitAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var offsets = new Dictionary<TopicPartition, long>();
        foreach (var tp in partitions)
        {
            if (_printed.TryGetValue(tp, out var next) && (!_committed.TryGetValue(tp, out var done) || done != next))
            {
                offsets[tp] = next;
            }
        }

        if (offsets.Count == 0)
        {
            return;
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await consumer.CommitAsync(offsets, cancellationToken).ConfigureAwait(false);
        }
        catch (ActorStreamException e)
        {
            Report($"commit failed {DescribeOffsets(offsets)}: {e.Message.ReplaceLineEndings(" ")}");
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Report($"commit failed {DescribeOffsets(offsets)}: the group coordinator did not answer in time");
            return;
        }

        foreach (var (tp, offset) in offsets)
        {
            _committed[tp] = offset;
        }

        Report("committed " + DescribeOffsets(offsets));
    }

    private void Report(string what)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{now} {what} printed={Count}"));
        log.Flush();
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(',', partitions.OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition));

    private static string DescribeOffsets(Dictionary<TopicPartition, long> offsets) =>
        string.Join(',', offsets.OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition)
            .Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key}@{o.Value}")));
}
