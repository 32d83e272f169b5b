using ActorStream.Client.Config;
using ActorStream.Client.Connection;
using ActorStream.Protocol;
using ActorStream.Storage.Records;

namespace ActorStream.Client.Producer;

/// <summary>
/// Kafka's RecordAccumulator: one queue of <see cref="ProducerBatch"/> per partition, <c>buffer.memory</c>
/// accounting, and the idempotent sequence of each partition. Producers append from any thread; node batch actors
/// drain the batches of the partitions their node leads. One lock guards everything; completions run outside it.
/// </summary>
/// <remarks>
/// Ordering with idempotence: a batch gets its sequence when first drained and keeps it. A retried batch goes back
/// to its queue in sequence order and is resent only once nothing else of its partition is in flight, so retries
/// reach the broker in sequence order (later in-flight batches come back OUT_OF_ORDER and are retried too).
/// </remarks>
internal sealed class RecordAccumulator : IDisposable
{
    private sealed class PartitionState
    {
        public List<ProducerBatch> Queue { get; } = [];
        public List<ProducerBatch> InFlight { get; } = [];
        public int NextSequence { get; set; }

        /// <summary>Counts fresh batches drained, to bound how far sends run ahead of the oldest unanswered one.</summary>
        public long DrainCounter { get; set; }
    }

    /// <summary>The broker remembers the last five batches per producer: a retry must still be among them.</summary>
    private const int MaxBatchesAheadPerPartition = 5;

    private readonly object _lock = new();
    private readonly ProducerConfig _config;
    private readonly TimeProvider _time;
    private readonly Dictionary<TopicPartition, PartitionState> _partitions = [];
    private readonly HashSet<ProducerBatch> _incomplete = [];
    private long _bufferedBytes;
    private int _flushes;
    private TaskCompletionSource _memoryFreed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RecordAccumulator(ProducerConfig config, TimeProvider time)
    {
        _config = config;
        _time = time;
    }

    public bool Idempotent => _config.IdempotenceEnabled;

    /// <summary>The clock of linger, backoff and delivery deadlines (and of the senders' <see cref="DrainTimer"/>).</summary>
    public TimeProvider Time => _time;

    public long ProducerId { get; set; } = RecordBatch.NoProducerId;

    public short ProducerEpoch { get; set; } = RecordBatch.NoProducerEpoch;

    public long BufferedBytes
    {
        get
        {
            lock (_lock)
            {
                return _bufferedBytes;
            }
        }
    }

    /// <summary>Reserves buffer memory if there is room now (a single record may always use an empty buffer).</summary>
    public bool TryReserve(long bytes)
    {
        lock (_lock)
        {
            if (_bufferedBytes == 0 || _bufferedBytes + bytes <= _config.BufferMemory)
            {
                _bufferedBytes += bytes;
                return true;
            }

            return false;
        }
    }

    /// <summary>Reserves buffer memory, waiting until <paramref name="deadline"/> for other batches to complete.</summary>
    public async Task ReserveAsync(long bytes, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task freed;
            lock (_lock)
            {
                freed = _memoryFreed.Task;
            }

            if (TryReserve(bytes))
            {
                return;
            }

            var remaining = deadline - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                throw new ActorStreamException(
                    ErrorCode.RequestTimedOut,
                    $"Failed to allocate {bytes} bytes of buffer.memory ({_config.BufferMemory}) within max.block.ms ({_config.MaxBlockMs} ms)");
            }

            await Task.WhenAny(freed, Task.Delay(remaining, _time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public void Release(long bytes)
    {
        TaskCompletionSource freed;
        lock (_lock)
        {
            _bufferedBytes -= bytes;
            freed = _memoryFreed;
            _memoryFreed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        freed.TrySetResult();
    }

    /// <summary>
    /// Appends a record to the open batch of its partition, or a new one. With <paramref name="reserve"/> its buffer
    /// memory is reserved in the same lock (as <see cref="TryReserve"/>; null when there is no room now); without, it
    /// was reserved before.
    /// </summary>
    public AppendResult? Append(TopicPartition tp, long timestamp, byte[]? key, byte[]? value, IReadOnlyList<RecordHeader>? headers, int recordSize, bool reserve = false)
    {
        lock (_lock)
        {
            if (reserve && _bufferedBytes != 0 && _bufferedBytes + recordSize > _config.BufferMemory)
            {
                return null;
            }

            if (!_partitions.TryGetValue(tp, out var state))
            {
                state = new PartitionState();
                _partitions.Add(tp, state);
            }

            var wasEmpty = state.Queue.Count == 0;
            var last = state.Queue.Count > 0 ? state.Queue[^1] : null;
            var created = false;
            if (last is null || last.IsClosed || last.EstimatedSizeInBytes + recordSize > Math.Max(_config.BatchSize, RecordBatch.HeaderSize + recordSize))
            {
                if (last is not null)
                {
                    last.IsClosed = true;
                }

                var now = _time.GetUtcNow();
                last = new ProducerBatch(tp, _config.CompressionType, Math.Max(_config.BatchSize, recordSize), now, now.AddMilliseconds(_config.DeliveryTimeoutMs));
                state.Queue.Add(last);
                _incomplete.Add(last);
                created = true;
            }

            var completion = last.Append(timestamp, key, value, headers);
            last.ReservedBytes += recordSize;
            // Only this append's transition to full wakes the sender: a queue of several batches already woke it when
            // each was created, and waking it on every record while it is busy (max in flight) costs two actor
            // messages per record for nothing (the sender drains again on each response).
            var full = false;
            if (!last.IsClosed && last.EstimatedSizeInBytes + recordSize > _config.BatchSize)
            {
                last.IsClosed = true; // full (a record like this one no longer fits): a sticky producer moves on
                full = true;
            }
            if (reserve)
            {
                _bufferedBytes += recordSize; // only once appended: a throwing append reserves nothing
            }

            return new AppendResult(completion.Task, last, created, full, wasEmpty);
        }
    }

    /// <summary>
    /// Once any batch of a partition <paramref name="nodeId"/> leads is ready (full, lingered long enough, retried or
    /// flushed), takes the first batch of EVERY partition the node leads, ready or not (Kafka's piggybacking), up to
    /// <paramref name="maxBytes"/> in total (always at least one), sealing each. Otherwise tells when the next batch
    /// becomes ready (linger or retry backoff), so the caller can schedule a timer.
    /// </summary>
    public DrainResult Drain(int nodeId, ClusterMetadata metadata, int maxBytes)
    {
        var now = _time.GetUtcNow();
        var batches = new List<ProducerBatch>();
        TimeSpan? nextCheck = null;
        var total = 0;
        var more = false;
        lock (_lock)
        {
            var eligible = new List<PartitionState>();
            var anyReady = false;
            foreach (var (tp, state) in _partitions)
            {
                if (state.Queue.Count == 0 || metadata.LeaderOf(tp) != nodeId)
                {
                    continue;
                }

                var head = state.Queue[0];
                if (head.RetryAfter > now)
                {
                    nextCheck = Min(nextCheck, head.RetryAfter - now);
                    continue;
                }

                if (Idempotent && head.BaseSequence is not null && state.InFlight.Count > 0)
                {
                    continue; // a retry waits until its partition has nothing in flight (see remarks)
                }

                if (Idempotent && head.BaseSequence is null && state.InFlight.Count > 0
                    && state.DrainCounter - state.InFlight.Min(b => b.DrainIndex) >= MaxBatchesAheadPerPartition)
                {
                    continue; // the oldest unanswered batch must stay within the broker's duplicate window
                }

                eligible.Add(state);
                var lingerLeft = head.CreatedAt.AddMilliseconds(_config.LingerMs) - now;
                if (state.Queue.Count > 1 || head.IsClosed || head.EstimatedSizeInBytes >= _config.BatchSize
                    || lingerLeft <= TimeSpan.Zero || _flushes > 0 || head.Attempts > 0)
                {
                    anyReady = true;
                }
                else
                {
                    nextCheck = Min(nextCheck, lingerLeft);
                }
            }

            if (!anyReady)
            {
                return new DrainResult([], nextCheck);
            }

            foreach (var state in eligible)
            {
                var head = state.Queue[0];
                if (batches.Count > 0 && total + head.EstimatedSizeInBytes > maxBytes)
                {
                    more = true;
                    continue;
                }

                state.Queue.RemoveAt(0);
                var sequence = head.BaseSequence;
                if (Idempotent && sequence is null)
                {
                    head.DrainIndex = state.DrainCounter++;
                    sequence = state.NextSequence;
                    state.NextSequence = (int)((state.NextSequence + (long)head.RecordCount) % ((long)int.MaxValue + 1));
                }

                head.Seal(ProducerId, ProducerEpoch, Idempotent ? sequence : null);
                head.IsInFlight = true;
                head.Attempts++;
                state.InFlight.Add(head);
                batches.Add(head);
                total += head.Bytes.Length;
            }
        }

        return new DrainResult(batches, more ? TimeSpan.Zero : nextCheck);
    }

    /// <summary>Whether some queued batch has no known leader (metadata must be refreshed).</summary>
    public bool HasBatchesWithoutLeader(ClusterMetadata metadata)
    {
        lock (_lock)
        {
            return _partitions.Any(p => p.Value.Queue.Count > 0 && metadata.LeaderOf(p.Key) < 0);
        }
    }

    /// <summary>Node ids leading partitions that have queued batches.</summary>
    public IReadOnlyCollection<int> NodesWithQueuedBatches(ClusterMetadata metadata)
    {
        lock (_lock)
        {
            return _partitions.Where(p => p.Value.Queue.Count > 0).Select(p => metadata.LeaderOf(p.Key)).Where(n => n >= 0).ToHashSet();
        }
    }

    public void Complete(ProducerBatch batch, long baseOffset, long logAppendTime)
    {
        Finish(batch);
        batch.Complete(baseOffset, logAppendTime);
        batch.Dispose();
    }

    /// <summary>
    /// Fails a batch for good. With idempotence, a batch the broker did not append gives its sequence numbers back:
    /// later batches of its partition move down (those in flight will be answered OUT_OF_ORDER and resent).
    /// </summary>
    public void Fail(ProducerBatch batch, Exception error, bool appended = false)
    {
        lock (_lock)
        {
            if (Idempotent && !appended && batch.BaseSequence is { } failed && _partitions.TryGetValue(batch.TopicPartition, out var state))
            {
                var count = batch.RecordCount;
                foreach (var other in state.Queue.Concat(state.InFlight))
                {
                    if (!ReferenceEquals(other, batch) && other.BaseSequence > failed)
                    {
                        other.ShiftSequence(-count);
                    }
                }

                state.NextSequence -= count;
            }
        }

        Finish(batch);
        batch.Fail(error);
        batch.Dispose();
    }

    /// <summary>Puts an in-flight batch back in its queue (in sequence order) to be resent after the backoff.</summary>
    public void Retry(ProducerBatch batch, ErrorCode error, string? message)
    {
        lock (_lock)
        {
            var state = _partitions[batch.TopicPartition];
            state.InFlight.Remove(batch);
            batch.IsInFlight = false;
            batch.LastError = error;
            batch.LastErrorMessage = message;
            batch.RetryAfter = _time.GetUtcNow().AddMilliseconds(_config.RetryBackoffMs);
            var index = 0;
            while (index < state.Queue.Count && state.Queue[index].BaseSequence is { } s && (batch.BaseSequence is null || s < batch.BaseSequence))
            {
                index++;
            }

            state.Queue.Insert(index, batch);
        }
    }

    /// <summary>
    /// Kafka's splitAndReenqueue: an in-flight batch of several records the broker refused as too large
    /// (MESSAGE_TOO_LARGE) is split into batches of at most half its size (so repeated refusals end in single records,
    /// and only a record too large on its own fails), which go back to the front of its queue in order, as if never
    /// tried, with the batch's sequence numbers. Its buffer memory passes to them. Returns how many batches it made.
    /// </summary>
    public int SplitAndReenqueue(ProducerBatch batch)
    {
        lock (_lock)
        {
            var state = _partitions[batch.TopicPartition];
            state.InFlight.Remove(batch);
            _incomplete.Remove(batch);
            batch.IsInFlight = false;
            var pieces = batch.Split(Math.Max(1, Math.Min(_config.BatchSize, batch.Bytes.Length / 2)), EstimateRecordSize);
            var reserved = batch.ReservedBytes;
            for (var i = 0; i < pieces.Count; i++)
            {
                // The estimates need not add up to what was reserved: the last batch takes what is left.
                pieces[i].ReservedBytes = i == pieces.Count - 1 ? Math.Max(0, reserved) : Math.Min(pieces[i].ReservedBytes, reserved);
                reserved -= pieces[i].ReservedBytes;
                _incomplete.Add(pieces[i]);
            }

            var index = 0;
            while (index < state.Queue.Count && state.Queue[index].BaseSequence is { } s && (batch.BaseSequence is null || s < batch.BaseSequence))
            {
                index++;
            }

            state.Queue.InsertRange(index, pieces);
            batch.Dispose();
            return pieces.Count;
        }
    }

    /// <summary>
    /// OUT_OF_ORDER_SEQUENCE_NUMBER is expected (so retriable) when the batch's sequence moved, or an earlier
    /// batch of its partition is still unresolved (it failed or is being retried, and this one overtook it).
    /// </summary>
    public bool IsOutOfOrderExpected(ProducerBatch batch)
    {
        lock (_lock)
        {
            if (batch.SequenceAdjusted)
            {
                return true;
            }

            var state = _partitions[batch.TopicPartition];
            return state.Queue.Concat(state.InFlight).Any(b => !ReferenceEquals(b, batch) && b.BaseSequence < batch.BaseSequence);
        }
    }

    /// <summary>Fails queued (not in-flight) batches past <c>delivery.timeout.ms</c>.</summary>
    public void ExpireBatches()
    {
        var now = _time.GetUtcNow();
        List<ProducerBatch>? expired = null;
        lock (_lock)
        {
            foreach (var state in _partitions.Values)
            {
                for (var i = state.Queue.Count - 1; i >= 0; i--)
                {
                    if (state.Queue[i].DeliveryDeadline <= now)
                    {
                        (expired ??= []).Add(state.Queue[i]);
                    }
                }
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var batch in expired)
        {
            var code = batch.LastError ?? ErrorCode.RequestTimedOut;
            var error = ActorStreamException.For(
                batch.TopicPartition,
                code,
                $"Expiring {batch.RecordCount} record(s): {_config.DeliveryTimeoutMs} ms (delivery.timeout.ms) passed since batch creation after {batch.Attempts} attempt(s); last error: {batch.LastErrorMessage ?? code.ToString()}");

            // A batch already sent may have been stored: its sequence numbers cannot be handed back.
            Fail(batch, error, appended: batch.Attempts > 0);
        }
    }

    /// <summary>Makes every batch ready and completes when all batches existing now are done.</summary>
    public async Task FlushAsync(Action wakeUp, CancellationToken cancellationToken)
    {
        Task[] pending;
        lock (_lock)
        {
            _flushes++;
            pending = _incomplete.Select(b => b.Done).ToArray();
        }

        try
        {
            wakeUp();
            await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _flushes--;
            }
        }
    }

    private void Finish(ProducerBatch batch)
    {
        lock (_lock)
        {
            if (_partitions.TryGetValue(batch.TopicPartition, out var state))
            {
                state.InFlight.Remove(batch);
                state.Queue.Remove(batch);
            }

            batch.IsInFlight = false;
            _incomplete.Remove(batch);
        }

        Release(batch.ReservedBytes);
    }

    /// <summary>What <see cref="Producer{TKey,TValue}"/> reserved for a record like <paramref name="record"/>.</summary>
    private static int EstimateRecordSize(Record record)
    {
        var headerBytes = 0;
        foreach (var header in record.Headers)
        {
            headerBytes += 10 + System.Text.Encoding.UTF8.GetByteCount(header.Key) + (header.Value?.Length ?? 0);
        }

        return RecordBatchBuilder.EstimateRecordSize(record.Key?.Length ?? -1, record.Value?.Length ?? -1, headerBytes);
    }

    private static TimeSpan Min(TimeSpan? a, TimeSpan b) => a is { } x && x < b ? x : b;

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var batch in _incomplete)
            {
                batch.Fail(new ObjectDisposedException("Producer", "The producer was closed before the record was delivered"));
                batch.Dispose();
            }

            _incomplete.Clear();
            _partitions.Clear();
        }
    }
}
