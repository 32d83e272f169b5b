using ActorStream.Protocol.Broker;
using ActorStream.Storage.Records;

namespace ActorStream.Broker.Partition;

/// <summary>
/// Idempotent producer state of one partition (Kafka's ProducerStateManager): per producer id, its epoch and the
/// metadata of its last five batches. A retried batch is recognised by its sequence range and answered with the
/// offsets it got the first time; a gap in sequences is OUT_OF_ORDER_SEQUENCE_NUMBER. Pure logic, no actors.
/// </summary>
public sealed class ProducerStateManager
{
    /// <summary>Kafka keeps the metadata of the last five batches per producer (max.in.flight ≤ 5).</summary>
    public const int BatchesToRetain = 5;

    private readonly Dictionary<long, Entry> _producers = [];

    public int ProducerCount => _producers.Count;

    public enum Verdict
    {
        Append,
        Duplicate,
        OutOfOrderSequence,
        InvalidProducerEpoch,
    }

    public readonly record struct Check(Verdict Verdict, long DuplicateFirstOffset = -1, string? Reason = null);

    private sealed class Entry(short epoch)
    {
        public short Epoch { get; set; } = epoch;
        public List<ProducerBatchMetadata> Batches { get; } = [];
    }

    /// <summary>Decides what to do with a batch before it is appended.</summary>
    public Check CheckBatch(in RecordBatchHeader batch)
    {
        if (batch.ProducerId == RecordBatch.NoProducerId)
        {
            return new Check(Verdict.Append);
        }

        if (!_producers.TryGetValue(batch.ProducerId, out var entry))
        {
            return batch.BaseSequence == 0
                ? new Check(Verdict.Append)
                : new Check(Verdict.OutOfOrderSequence, Reason: $"Producer {batch.ProducerId} is unknown here and its first batch has sequence {batch.BaseSequence}, not 0");
        }

        if (batch.ProducerEpoch < entry.Epoch)
        {
            return new Check(Verdict.InvalidProducerEpoch, Reason: $"Producer {batch.ProducerId} epoch {batch.ProducerEpoch} is older than the current epoch {entry.Epoch}");
        }

        if (batch.ProducerEpoch > entry.Epoch)
        {
            return batch.BaseSequence == 0
                ? new Check(Verdict.Append)
                : new Check(Verdict.OutOfOrderSequence, Reason: $"A new epoch of producer {batch.ProducerId} must start at sequence 0, not {batch.BaseSequence}");
        }

        foreach (var cached in entry.Batches)
        {
            if (cached.FirstSequence == batch.BaseSequence && cached.LastSequence == batch.LastSequence)
            {
                return new Check(Verdict.Duplicate, cached.FirstOffset);
            }
        }

        var last = entry.Batches.Count == 0 ? -1 : entry.Batches[^1].LastSequence;
        var expected = last == int.MaxValue ? 0 : last + 1;
        return batch.BaseSequence == expected
            ? new Check(Verdict.Append)
            : new Check(Verdict.OutOfOrderSequence, Reason: $"Producer {batch.ProducerId} sent sequence {batch.BaseSequence}, expected {expected}");
    }

    /// <summary>Records an appended batch (<paramref name="batch"/> carries its assigned offsets).</summary>
    public void OnAppended(in RecordBatchHeader batch)
    {
        if (batch.ProducerId == RecordBatch.NoProducerId)
        {
            return;
        }

        if (!_producers.TryGetValue(batch.ProducerId, out var entry))
        {
            entry = new Entry(batch.ProducerEpoch);
            _producers.Add(batch.ProducerId, entry);
        }
        else if (batch.ProducerEpoch != entry.Epoch)
        {
            entry.Epoch = batch.ProducerEpoch;
            entry.Batches.Clear();
        }

        entry.Batches.Add(new ProducerBatchMetadata
        {
            FirstSequence = batch.BaseSequence,
            LastSequence = batch.LastSequence,
            FirstOffset = batch.BaseOffset,
            LastOffset = batch.LastOffset,
        });
        if (entry.Batches.Count > BatchesToRetain)
        {
            entry.Batches.RemoveAt(0);
        }
    }

    /// <summary>Forgets batches at or above <paramref name="offset"/> (after the log was truncated).</summary>
    public void TruncateTo(long offset)
    {
        foreach (var entry in _producers.Values)
        {
            entry.Batches.RemoveAll(b => b.LastOffset >= offset);
        }
    }

    public IEnumerable<ProducerEntry> ToSnapshot() =>
        _producers.Select(p =>
        {
            var entry = new ProducerEntry { ProducerId = p.Key, ProducerEpoch = p.Value.Epoch };
            entry.Batches.AddRange(p.Value.Batches);
            return entry;
        });

    public void Restore(IEnumerable<ProducerEntry> entries)
    {
        _producers.Clear();
        foreach (var e in entries)
        {
            var entry = new Entry((short)e.ProducerEpoch);
            entry.Batches.AddRange(e.Batches);
            _producers[e.ProducerId] = entry;
        }
    }
}
