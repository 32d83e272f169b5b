using System.Runtime.CompilerServices;
using Akka.Actor;
using ActorStream.Client.Config;
using ActorStream.Client.Connection;
using ActorStream.Client.Serialization;
using ActorStream.Protocol;

namespace ActorStream.Client.Consumer;

/// <summary>
/// The consumer: assign partitions, seek, poll. Fetches go to each partition's leader, one outstanding fetch per
/// node, and records are buffered between polls. Positions start from <c>auto.offset.reset</c> unless sought.
/// Not thread-safe (like Kafka's consumer). Groups (subscribe, commit) will come as another assignment source.
/// </summary>
public sealed class Consumer<TKey, TValue> : IConsumer<TKey, TValue>
{
    private readonly ConsumerConfig _config;
    private readonly IDeserializer<TKey> _keyDeserializer;
    private readonly IDeserializer<TValue> _valueDeserializer;
    private readonly Dictionary<TopicPartition, PartitionState> _assignment = [];
    private readonly Task<ClientConnection> _started;
    private Fetcher<TKey, TValue>? _fetcher;
    private Task? _refresh;
    private int _disposed;

    public Consumer(ConsumerConfig config, IDeserializer<TKey>? keyDeserializer = null, IDeserializer<TValue>? valueDeserializer = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        _keyDeserializer = keyDeserializer ?? Deserializers.Default<TKey>()
            ?? throw new ArgumentException($"No built-in deserializer for {typeof(TKey).Name}: pass one", nameof(keyDeserializer));
        _valueDeserializer = valueDeserializer ?? Deserializers.Default<TValue>()
            ?? throw new ArgumentException($"No built-in deserializer for {typeof(TValue).Name}: pass one", nameof(valueDeserializer));
        _started = ClientConnection.ConnectAsync(config);
    }

    /// <summary>The client's actor system (e.g. to materialize the Akka.Streams stages on).</summary>
    public ActorSystem System => _started.GetAwaiter().GetResult().System;

    public Task ConnectedTask => _started;

    public IReadOnlyCollection<TopicPartition> Assignment => _assignment.Keys.ToList();

    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var wanted = partitions.ToHashSet();
        foreach (var tp in _assignment.Keys.Where(tp => !wanted.Contains(tp)).ToList())
        {
            _assignment.Remove(tp);
            _fetcher?.Clear(tp);
        }

        foreach (var tp in wanted)
        {
            ArgumentException.ThrowIfNullOrEmpty(tp.Topic, nameof(partitions));
            _assignment.TryAdd(tp, new PartitionState());
        }
    }

    public void Unassign() => Assign([]);

    public void Seek(TopicPartition partition, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var state = StateOf(partition);
        state.Position = offset;
        state.PendingReset = null;
        state.Error = null;
        _fetcher?.Clear(partition);
    }

    public void SeekToBeginning(IEnumerable<TopicPartition> partitions) => RequestReset(partitions, AutoOffsetReset.Earliest);

    public void SeekToEnd(IEnumerable<TopicPartition> partitions) => RequestReset(partitions, AutoOffsetReset.Latest);

    private void RequestReset(IEnumerable<TopicPartition> partitions, AutoOffsetReset reset)
    {
        foreach (var tp in partitions)
        {
            var state = StateOf(tp);
            state.Position = null;
            state.PendingReset = reset;
            state.Error = null;
            _fetcher?.Clear(tp);
        }
    }

    public long Position(TopicPartition partition) => PositionAsync(partition).GetAwaiter().GetResult();

    public async Task<long> PositionAsync(TopicPartition partition, CancellationToken cancellationToken = default)
    {
        var state = StateOf(partition);
        if (state.Position is null)
        {
            await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
            await UpdatePositionsAsync(cancellationToken).ConfigureAwait(false);
        }

        return state.Position!.Value;
    }

    public IReadOnlyList<ConsumeResult<TKey, TValue>> Poll(TimeSpan timeout) => PollAsync(timeout).GetAwaiter().GetResult();

    public async Task<IReadOnlyList<ConsumeResult<TKey, TValue>>> PollAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var deadline = DateTimeOffset.UtcNow + timeout;
        var fetcher = await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            ThrowPartitionErrors();
            await UpdatePositionsAsync(cancellationToken).ConfigureAwait(false);
            var records = fetcher.Collect(_config.MaxPollRecords);
            fetcher.SendFetches();
            MaybeRefreshMetadata(fetcher);
            if (records.Count > 0)
            {
                return records;
            }

            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                return [];
            }

            await fetcher.WaitAsync(remaining, cancellationToken).ConfigureAwait(false);
            fetcher.ProcessCompleted();
        }
    }

    public async IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyList<ConsumeResult<TKey, TValue>> records;
            try
            {
                records = await PollAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            foreach (var record in records)
            {
                yield return record;
            }
        }
    }

    private async Task<Fetcher<TKey, TValue>> EnsureStartedAsync(CancellationToken cancellationToken)
    {
        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_fetcher is null)
        {
            _fetcher = new Fetcher<TKey, TValue>(connection, _config, _keyDeserializer, _valueDeserializer, _assignment);
        }

        var missing = _assignment.Keys.Select(tp => tp.Topic).Where(t => connection.Metadata.PartitionCount(t) is null).Distinct().ToList();
        if (missing.Count > 0)
        {
            await connection.RefreshAsync(missing, allowAutoTopicCreation: false, cancellationToken).ConfigureAwait(false);
        }

        return _fetcher;
    }

    private void MaybeRefreshMetadata(Fetcher<TKey, TValue> fetcher)
    {
        var connection = _started.Result;
        var stale = fetcher.MetadataStale
            || DateTimeOffset.UtcNow - connection.Metadata.UpdatedAt > TimeSpan.FromMilliseconds(_config.MetadataMaxAgeMs);
        if (stale && _refresh is null or { IsCompleted: true })
        {
            fetcher.MetadataStale = false;
            var topics = _assignment.Keys.Select(tp => tp.Topic).Distinct().ToList();
            _refresh = RefreshQuietlyAsync(connection, topics, TimeSpan.FromMilliseconds(_config.RetryBackoffMs));
        }
    }

    private static async Task RefreshQuietlyAsync(ClientConnection connection, IReadOnlyList<string> topics, TimeSpan backoff)
    {
        try
        {
            await Task.Delay(backoff).ConfigureAwait(false);
            await connection.RefreshAsync(topics).ConfigureAwait(false);
        }
        catch (ActorStreamException)
        {
            // The next poll notices the partitions are still leaderless and tries again.
        }
    }

    private void ThrowPartitionErrors()
    {
        foreach (var state in _assignment.Values)
        {
            if (state.Error is { } error)
            {
                state.Error = null;
                throw error;
            }
        }
    }

    /// <summary>Resolves partitions without a position: SeekToBeginning/End, or auto.offset.reset.</summary>
    private async Task UpdatePositionsAsync(CancellationToken cancellationToken)
    {
        var timestamps = new Dictionary<TopicPartition, long>();
        foreach (var (tp, state) in _assignment)
        {
            if (state.Position is not null)
            {
                continue;
            }

            var reset = state.PendingReset ?? _config.AutoOffsetReset;
            timestamps[tp] = reset switch
            {
                AutoOffsetReset.Earliest => OffsetLookup.Earliest,
                AutoOffsetReset.Latest => OffsetLookup.Latest,
                _ => throw ActorStreamException.For(tp, ErrorCode.OffsetOutOfRange, $"No position for partition {tp} and auto.offset.reset is none: seek first"),
            };
        }

        if (timestamps.Count == 0)
        {
            return;
        }

        var offsets = await OffsetLookup.ListAsync(
            _started.Result,
            timestamps,
            TimeSpan.FromMilliseconds(_config.RequestTimeoutMs),
            TimeSpan.FromMilliseconds(_config.RetryBackoffMs),
            cancellationToken).ConfigureAwait(false);
        foreach (var (tp, (offset, _)) in offsets)
        {
            if (_assignment.TryGetValue(tp, out var state) && state.Position is null)
            {
                state.Position = offset;
                state.PendingReset = null;
            }
        }
    }

    private PartitionState StateOf(TopicPartition tp) =>
        _assignment.TryGetValue(tp, out var state)
            ? state
            : throw new InvalidOperationException($"Partition {tp} is not assigned to this consumer");

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            var connection = await _started.ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (ActorStreamException)
        {
            // Never connected: nothing to stop.
        }
    }
}
