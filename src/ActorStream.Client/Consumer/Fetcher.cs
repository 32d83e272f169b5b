using ActorStream.Client.Config;
using ActorStream.Client.Connection;
using ActorStream.Client.Serialization;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.Storage.Errors;
using ActorStream.Storage.Records;

namespace ActorStream.Client.Consumer;

/// <summary>
/// Sends fetches and buffers their records (Kafka's Fetcher). At most one fetch is outstanding per node, carrying
/// every assigned partition that node leads which has a position, no fetch in flight and fewer than
/// <see cref="MaxBufferedFetchesPerPartition"/> completed fetches buffered. A partition whose records are still being
/// handed out is fetched again from where its buffered records end (pipelining), so the next records are on their
/// way while the application drains the buffer, not only after: the buffer holds at most two responses per partition
/// (each at most <c>max.partition.fetch.bytes</c>, and <c>fetch.max.bytes</c> per response).
/// </summary>
internal sealed class Fetcher<TKey, TValue>
{
    private sealed record PendingFetch(Task<FetchResponse> Response, IReadOnlyDictionary<TopicPartition, long> Offsets);

    private readonly ClientConnection _connection;
    private readonly ConsumerConfig _config;
    private readonly IDeserializer<TKey> _keyDeserializer;
    private readonly IDeserializer<TValue> _valueDeserializer;
    /// <summary>One response being handed out and the next one already received.</summary>
    internal const int MaxBufferedFetchesPerPartition = 2;

    private readonly Dictionary<TopicPartition, PartitionState> _assignment;
    private readonly Dictionary<int, PendingFetch> _pending = [];
    private readonly Queue<CompletedFetch<TKey, TValue>> _completed = new();
    private long _nextCorrelationId;

    public Fetcher(ClientConnection connection, ConsumerConfig config, IDeserializer<TKey> keyDeserializer, IDeserializer<TValue> valueDeserializer, Dictionary<TopicPartition, PartitionState> assignment)
    {
        _connection = connection;
        _config = config;
        _keyDeserializer = keyDeserializer;
        _valueDeserializer = valueDeserializer;
        _assignment = assignment;
    }

    /// <summary>Set when a partition had no leader or a retriable error: the consumer refreshes metadata.</summary>
    public bool MetadataStale { get; set; }

    public bool HasPending => _pending.Count > 0;

    /// <summary>Forgets buffered records of a partition (after a seek or unassignment).</summary>
    public void Clear(TopicPartition tp)
    {
        var keep = _completed.Where(c => c.TopicPartition != tp).ToList();
        _completed.Clear();
        foreach (var c in keep)
        {
            _completed.Enqueue(c);
        }
    }

    /// <summary>Hands out up to <paramref name="max"/> buffered records, advancing positions.</summary>
    public List<ConsumeResult<TKey, TValue>> Collect(int max)
    {
        var results = new List<ConsumeResult<TKey, TValue>>();
        while (results.Count < max && _completed.TryPeek(out var fetch))
        {
            if (!_assignment.TryGetValue(fetch.TopicPartition, out var state) || state.Position != PositionOf(fetch))
            {
                _completed.Dequeue(); // unassigned or sought elsewhere since
                continue;
            }

            while (results.Count < max && !fetch.IsDrained)
            {
                var record = fetch.Records[fetch.Index++];
                results.Add(record);
                state.Position = record.Offset + 1;
            }

            if (fetch.IsDrained)
            {
                state.Position = Math.Max(state.Position ?? 0, fetch.NextFetchOffset);
                _completed.Dequeue();
            }
        }

        return results;
    }

    private static long PositionOf(CompletedFetch<TKey, TValue> fetch) =>
        fetch.Index == 0 ? fetch.FetchOffset : fetch.Records[fetch.Index - 1].Offset + 1;

    /// <summary>Sends a fetch to every node that has fetchable partitions and no fetch outstanding.</summary>
    public void SendFetches()
    {
        var buffered = BufferedFetches();
        var inFlight = _pending.Values.SelectMany(p => p.Offsets.Keys).ToHashSet();
        var metadata = _connection.Metadata;
        var byNode = new Dictionary<int, Dictionary<TopicPartition, long>>();
        foreach (var (tp, state) in _assignment)
        {
            var bufferedFetches = buffered.TryGetValue(tp, out var last) ? last.Count : 0;
            if (state.Error is not null || bufferedFetches >= MaxBufferedFetchesPerPartition || inFlight.Contains(tp)
                || FetchPosition(state, bufferedFetches > 0 ? last.Fetch : null) is not { } position)
            {
                continue;
            }

            var leader = metadata.LeaderOf(tp);
            if (leader < 0)
            {
                MetadataStale = true;
                continue;
            }

            if (_pending.ContainsKey(leader))
            {
                continue;
            }

            if (!byNode.TryGetValue(leader, out var offsets))
            {
                byNode[leader] = offsets = [];
            }

            offsets[tp] = position;
        }

        foreach (var (node, offsets) in byNode)
        {
            var endpoint = _connection.Endpoint(node);
            if (endpoint is null || _connection.IsBackingOff(node, out _))
            {
                MetadataStale = true;
                continue;
            }

            var request = new FetchRequest
            {
                CorrelationId = ++_nextCorrelationId,
                // While records of other partitions wait in the buffer, a long poll would hold this node's only
                // fetch slot (and so their next fetch) for fetch.max.wait.ms: ask without parking instead.
                MaxWaitMs = buffered.Count > 0 ? 0 : _config.FetchMaxWaitMs,
                MinBytes = _config.FetchMinBytes,
                MaxBytes = _config.FetchMaxBytes,
            };
            request.Partitions.AddRange(offsets.Select(o => new FetchPartition
            {
                Topic = o.Key.Topic,
                Partition = o.Key.Partition,
                FetchOffset = o.Value,
                PartitionMaxBytes = _config.MaxPartitionFetchBytes,
            }));
            var timeout = TimeSpan.FromMilliseconds((long)_config.FetchMaxWaitMs + _config.RequestTimeoutMs);
            // A lost connection ends the fetch at once instead of after the timeout (the partitions' leader may have moved).
            _pending[node] = new PendingFetch(ClientConnection.AskAsync<FetchResponse>(endpoint, request, timeout, _connection.LostToken(node)), offsets);
        }
    }

    /// <summary>Per partition: how many completed fetches are buffered, and the last of them.</summary>
    private Dictionary<TopicPartition, (int Count, CompletedFetch<TKey, TValue> Fetch)> BufferedFetches()
    {
        var buffered = new Dictionary<TopicPartition, (int Count, CompletedFetch<TKey, TValue> Fetch)>();
        foreach (var fetch in _completed)
        {
            buffered[fetch.TopicPartition] = (buffered.TryGetValue(fetch.TopicPartition, out var seen) ? seen.Count + 1 : 1, fetch);
        }

        return buffered;
    }

    /// <summary>Where the partition's next fetch starts: after its buffered records, else at its position.</summary>
    private static long? FetchPosition(PartitionState state, CompletedFetch<TKey, TValue>? lastBuffered) =>
        state.Position is null ? null : lastBuffered?.NextFetchOffset ?? state.Position;

    /// <summary>Waits until some fetch completes or <paramref name="timeout"/> passes.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            await Task.Delay(Min(timeout, TimeSpan.FromMilliseconds(_config.RetryBackoffMs)), cancellationToken).ConfigureAwait(false);
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, cts.Token);
        await Task.WhenAny(_pending.Values.Select(p => (Task)p.Response).Append(delay)).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Decodes every completed fetch into the buffer, applying per-partition errors.</summary>
    public void ProcessCompleted()
    {
        if (!_pending.Values.Any(p => p.Response.IsCompleted))
        {
            return;
        }

        var buffered = BufferedFetches();
        foreach (var (node, pending) in _pending.Where(p => p.Value.Response.IsCompleted).ToList())
        {
            _pending.Remove(node);
            if (!pending.Response.IsCompletedSuccessfully)
            {
                MetadataStale = true; // timed out: the node may be gone
                continue;
            }

            foreach (var answer in pending.Response.Result.Partitions)
            {
                var tp = new TopicPartition(answer.Topic, answer.Partition);
                if (!pending.Offsets.TryGetValue(tp, out var fetchOffset)
                    || !_assignment.TryGetValue(tp, out var state)
                    || FetchPosition(state, buffered.TryGetValue(tp, out var last) ? last.Fetch : null) != fetchOffset)
                {
                    continue; // unassigned or sought since the fetch was sent
                }

                HandlePartition(tp, state, fetchOffset, answer);
            }
        }
    }

    private void HandlePartition(TopicPartition tp, PartitionState state, long fetchOffset, FetchPartitionResponse answer)
    {
        var code = (ErrorCode)answer.ErrorCode;
        switch (code)
        {
            case ErrorCode.None:
                Decode(tp, fetchOffset, answer);
                break;
            case ErrorCode.OffsetOutOfRange when _config.AutoOffsetReset == AutoOffsetReset.None && state.PendingReset is null:
                state.Error = ActorStreamException.For(
                    tp,
                    code,
                    $"Fetch offset {fetchOffset} is out of range for partition {tp} (log start {answer.LogStartOffset}, high watermark {answer.HighWatermark}) and auto.offset.reset is none");
                break;
            case ErrorCode.OffsetOutOfRange:
                state.Position = null; // resolved again with auto.offset.reset
                break;
            case var retriable when retriable.IsRetriable():
                MetadataStale = true;
                break;
            default:
                state.Error = ActorStreamException.For(tp, code, answer.ErrorMessage);
                break;
        }
    }

    private void Decode(TopicPartition tp, long fetchOffset, FetchPartitionResponse answer)
    {
        if (answer.Records.IsEmpty)
        {
            return;
        }

        var results = new List<ConsumeResult<TKey, TValue>>();
        var next = fetchOffset;
        try
        {
            foreach (var batch in RecordBatchReader.ReadBatches(answer.Records.Memory, _config.CheckCrcs))
            {
                if (batch.Header.NextOffset <= fetchOffset)
                {
                    continue;
                }

                next = batch.Header.NextOffset;
                if (batch.Header.IsControl)
                {
                    continue;
                }

                foreach (var record in batch.ReadRecords())
                {
                    if (record.Offset < fetchOffset)
                    {
                        continue; // a fetch starts at the batch holding the offset
                    }

                    results.Add(new ConsumeResult<TKey, TValue>(
                        tp.Topic,
                        tp.Partition,
                        record.Offset,
                        record.Timestamp,
                        _keyDeserializer.Deserialize(record.Key.GetValueOrDefault().Span, record.Key is null, tp.Topic),
                        _valueDeserializer.Deserialize(record.Value.GetValueOrDefault().Span, record.Value is null, tp.Topic),
                        record.Headers));
                }
            }
        }
        catch (StorageException e)
        {
            throw ActorStreamException.For(tp, ErrorCode.CorruptMessage, $"Corrupt record batch at or after offset {fetchOffset}: {e.Message}");
        }

        if (next > fetchOffset)
        {
            _completed.Enqueue(new CompletedFetch<TKey, TValue>(tp, fetchOffset, results, next));
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
