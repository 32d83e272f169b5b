using ActorStream.Protocol;
using ActorStream.Storage.Compression;
using ActorStream.Storage.Records;

namespace ActorStream.Client.Producer;

/// <summary>
/// Records bound for one partition, encoded into one RecordBatch v2, with the completion of each record. Mutated
/// only under the <see cref="RecordAccumulator"/> lock; once sealed no record is added and the encoded bytes are
/// kept for retries (re-encoded only if its idempotent sequence had to move).
/// </summary>
internal sealed class ProducerBatch : IDisposable
{
    private readonly RecordBatchBuilder _builder;
    private readonly List<(TaskCompletionSource<RecordMetadata> Completion, long Timestamp)> _records = [];
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[]? _bytes;

    public ProducerBatch(TopicPartition topicPartition, CompressionType compression, int capacity, DateTimeOffset createdAt, DateTimeOffset deliveryDeadline)
    {
        TopicPartition = topicPartition;
        _builder = new RecordBatchBuilder(compression, initialCapacity: capacity);
        CreatedAt = createdAt;
        DeliveryDeadline = deliveryDeadline;
    }

    public TopicPartition TopicPartition { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset DeliveryDeadline { get; }

    public int RecordCount => _records.Count;

    public int EstimatedSizeInBytes => _builder.EstimatedSizeInBytes;

    /// <summary>Bytes reserved from <c>buffer.memory</c> for this batch's records.</summary>
    public long ReservedBytes { get; set; }

    /// <summary>No more appends: sealed for sending, or a newer batch of the partition took over.</summary>
    public bool IsClosed { get; set; }

    public bool IsSealed => _bytes is not null;

    /// <summary>Idempotent base sequence, assigned when the batch is first sealed; null otherwise.</summary>
    public int? BaseSequence { get; private set; }

    /// <summary>The sequence moved down after an earlier batch of the partition failed: an OUT_OF_ORDER answer is expected.</summary>
    public bool SequenceAdjusted { get; set; }

    /// <summary>Order in which fresh batches of the partition were first drained (idempotence only).</summary>
    public long DrainIndex { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset RetryAfter { get; set; }

    public ErrorCode? LastError { get; set; }

    public string? LastErrorMessage { get; set; }

    public bool IsInFlight { get; set; }

    public Task Done => _done.Task;

    public byte[] Bytes => _bytes ?? throw new InvalidOperationException("The batch is not sealed");

    public TaskCompletionSource<RecordMetadata> Append(long timestamp, byte[]? key, byte[]? value, IReadOnlyList<RecordHeader>? headers)
    {
        _builder.Append(timestamp, key, value, headers);
        // Completed in bulk on one thread-pool item per batch (see Complete), not one scheduled continuation per record.
        var completion = new TaskCompletionSource<RecordMetadata>();
        _records.Add((completion, timestamp));
        return completion;
    }

    /// <summary>Encodes the batch (once; again only when the sequence changed).</summary>
    public void Seal(long producerId, short producerEpoch, int? baseSequence)
    {
        IsClosed = true;
        if (_bytes is not null && baseSequence == BaseSequence)
        {
            return;
        }

        BaseSequence = baseSequence;
        _builder.SetProducerState(producerId, producerEpoch, baseSequence ?? RecordBatch.NoSequence);
        _bytes = _builder.Build();
    }

    /// <summary>
    /// Kafka's ProducerBatch.split, for a sealed batch the broker refused as too large: decodes its records into new
    /// batches of at most <paramref name="targetSize"/> record bytes each (a record larger than that gets a batch of
    /// its own), which take over the records' completions in order and, with idempotence, this batch's sequence
    /// range (contiguous, so later batches keep theirs). The rare path: nothing here runs for a batch that fits.
    /// <see cref="Done"/> completes once every new batch is done.
    /// </summary>
    public List<ProducerBatch> Split(int targetSize, Func<Record, int> recordSize)
    {
        var pieces = new List<ProducerBatch>();
        ProducerBatch? current = null;
        var index = 0;
        foreach (var record in RecordBatchReader.ReadRecords(Bytes, verifyChecksums: false))
        {
            var size = recordSize(record);
            if (current is null || current.EstimatedSizeInBytes + size > targetSize)
            {
                current = new ProducerBatch(TopicPartition, _builder.Compression, Math.Max(targetSize, size), CreatedAt, DeliveryDeadline)
                {
                    IsClosed = true,
                    DrainIndex = DrainIndex,
                };
                pieces.Add(current);
            }

            current._builder.Append(record.Timestamp, record.Key, record.Value, record.Headers);
            current._records.Add(_records[index++]);
            current.ReservedBytes += size;
        }

        if (BaseSequence is { } sequence)
        {
            foreach (var piece in pieces)
            {
                piece.BaseSequence = sequence;
                sequence = (int)((sequence + (long)piece.RecordCount) % ((long)int.MaxValue + 1));
            }
        }

        Task.WhenAll(pieces.Select(p => p.Done)).ContinueWith(
            static (_, state) => ((TaskCompletionSource)state!).TrySetResult(), _done, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return pieces;
    }

    /// <summary>Moves the base sequence (the batch is re-encoded when it is next sealed).</summary>
    public void ShiftSequence(int delta)
    {
        if (BaseSequence is { } sequence)
        {
            BaseSequence = sequence + delta;
            _bytes = null;
            SequenceAdjusted = true;
        }
    }

    /// <summary>
    /// Completes every record's task on one thread-pool work item: their continuations run there, inline and in
    /// order (like Kafka's callbacks on the sender thread), never on the caller (an actor) and without a thread-pool
    /// hand-off per record.
    /// </summary>
    public void Complete(long baseOffset, long logAppendTime) =>
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Batch.CompleteNow(state.BaseOffset, state.LogAppendTime), (Batch: this, BaseOffset: baseOffset, LogAppendTime: logAppendTime), preferLocal: false);

    public void Fail(Exception error) =>
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Batch.FailNow(state.Error), (Batch: this, Error: error), preferLocal: false);

    private void CompleteNow(long baseOffset, long logAppendTime)
    {
        var topic = TopicPartition.Topic;
        var partition = TopicPartition.Partition;
        for (var i = 0; i < _records.Count; i++)
        {
            var (completion, timestamp) = _records[i];
            completion.TrySetResult(new RecordMetadata(
                topic, partition, baseOffset < 0 ? -1 : baseOffset + i, logAppendTime >= 0 ? logAppendTime : timestamp));
        }

        _done.TrySetResult();
    }

    private void FailNow(Exception error)
    {
        foreach (var (completion, _) in _records)
        {
            completion.TrySetException(error);
        }

        _done.TrySetResult();
    }

    public void Dispose() => _builder.Dispose();
}
