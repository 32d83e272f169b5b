using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;
using ActorStream.Client.Config;
using ActorStream.Client.Connection;
using ActorStream.Client.Serialization;
using ActorStream.Protocol;
using ActorStream.Protocol.Group;

namespace ActorStream.Client.Consumer;

/// <summary>
/// The consumer: assign partitions, seek, poll. Fetches go to each partition's leader, one outstanding fetch per
/// node, and records are buffered between polls. Positions start from <c>auto.offset.reset</c> unless sought.
/// Not thread-safe (like Kafka's consumer). With <c>group.id</c>, <see cref="Subscribe"/> joins a consumer group: a member
/// actor in the client's actor system joins and heartbeats; poll applies the assignments it receives (eager assignors: every
/// partition is committed and revoked before a rejoin; cooperative-sticky: only the partitions that move) and commits
/// positions (last consumed offset + 1). Not polling for <c>max.poll.interval.ms</c> takes the consumer out of the group.
/// </summary>
public sealed class Consumer<TKey, TValue> : IConsumer<TKey, TValue>
{
    /// <summary>Kafka's default close timeout (KafkaConsumer.DEFAULT_CLOSE_TIMEOUT_MS).</summary>
    public static readonly TimeSpan DefaultCloseTimeout = TimeSpan.FromSeconds(30);

    private readonly ConsumerConfig _config;
    private readonly IDeserializer<TKey> _keyDeserializer;
    private readonly IDeserializer<TValue> _valueDeserializer;
    private readonly Dictionary<TopicPartition, PartitionState> _assignment = [];
    private readonly Task<ClientConnection> _started;
    private Fetcher<TKey, TValue>? _fetcher;
    private Task? _refresh;
    private int _disposed;
    private GroupSession? _session;
    private GroupCoordinatorLookup? _coordinator;
    private IActorRef? _member;
    private GroupMemberSettings? _memberSettings;
    private IReadOnlyList<string>? _subscription;
    private string? _subscriptionPattern;
    private IConsumerRebalanceListener? _listener;
    private DateTimeOffset _nextAutoCommit;
    private Task? _autoCommit;

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

    /// <summary>Whether a fetch is outstanding (tests: the next fetch is in flight while the buffer drains).</summary>
    internal bool FetchInFlight => _fetcher?.HasPending == true;

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

    /// <summary>The subscribed topic names (empty without a subscription, or with a pattern subscription).</summary>
    public IReadOnlyList<string> Subscription => _subscription ?? [];

    /// <summary>Joins the consumer group <c>group.id</c> for <paramref name="topics"/>; partitions arrive with the next polls.</summary>
    public void Subscribe(IEnumerable<string> topics, IConsumerRebalanceListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var list = topics.Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0 || list.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Subscribe needs at least one non-empty topic name", nameof(topics));
        }

        StartSubscription(list, null, listener);
    }

    /// <summary>
    /// Joins the consumer group <c>group.id</c> for every topic whose whole name matches <paramref name="pattern"/>, now and
    /// later: the coordinator matches it (KIP-848 style), so a matching topic created later is assigned without a restart.
    /// The pattern's text is sent, not its options: use inline options such as <c>(?i)</c>. Backreferences and lookarounds
    /// are refused by the coordinator (INVALID_REGULAR_EXPRESSION).
    /// </summary>
    public void Subscribe(System.Text.RegularExpressions.Regex pattern, IConsumerRebalanceListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        StartSubscription([], pattern.ToString(), listener);
    }

    private void StartSubscription(IReadOnlyList<string> topics, string? pattern, IConsumerRebalanceListener? listener)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (string.IsNullOrEmpty(_config.GroupId))
        {
            throw new InvalidOperationException("Subscribe needs group.id (use Assign without a group)");
        }

        if (_subscription is not null)
        {
            throw new InvalidOperationException("Already subscribed: this consumer does not support changing its subscription");
        }

        _subscription = topics;
        _subscriptionPattern = pattern;
        _listener = listener;
        _nextAutoCommit = DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(_config.AutoCommitIntervalMs);
    }

    /// <summary>Commits the positions of every assigned partition (last consumed offset + 1).</summary>
    public void Commit() => CommitAsync().GetAwaiter().GetResult();

    public Task CommitAsync(CancellationToken cancellationToken = default) =>
        CommitAsync(CurrentPositions(), cancellationToken);

    /// <summary>Commits explicit offsets (the offset of the next record to read, Kafka semantics).</summary>
    public void Commit(IReadOnlyDictionary<TopicPartition, long> offsets) => CommitAsync(offsets).GetAwaiter().GetResult();

    public async Task CommitAsync(IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await CommitInternalAsync(offsets, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The committed offsets of <paramref name="partitions"/> for this group (absent: none committed).</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> CommittedAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        var groupId = _config.GroupId ?? throw new InvalidOperationException("Committed offsets need group.id");
        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await FetchCommittedAsync(connection, Coordinator(connection), groupId, partitions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Where group requests go: the node hosting the group coordinator, looked up again when it dies or moves.</summary>
    private GroupCoordinatorLookup Coordinator(ClientConnection connection) =>
        _coordinator ??= new GroupCoordinatorLookup(connection, TimeSpan.FromMilliseconds(_config.RetryBackoffMs));

    private Dictionary<TopicPartition, long> CurrentPositions() =>
        _assignment.Where(a => a.Value.Position is not null).ToDictionary(a => a.Key, a => a.Value.Position!.Value);

    private async Task CommitInternalAsync(IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken cancellationToken)
    {
        var groupId = _config.GroupId ?? throw new InvalidOperationException("Commit needs group.id");
        if (offsets.Count == 0)
        {
            return;
        }

        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var request = new OffsetCommitRequest { GroupId = groupId, GenerationId = -1 };
        if (_session is not null)
        {
            var (memberId, generation) = _session.Identity;
            if (generation < 0)
            {
                throw new ActorStreamException(ErrorCode.RebalanceInProgress, $"Cannot commit: the consumer is not a current member of group {groupId} (rebalancing or rejoining)");
            }

            request.MemberId = memberId;
            request.GenerationId = generation;
            if (_config.GroupInstanceId is not null)
            {
                request.GroupInstanceId = _config.GroupInstanceId;
            }
        }

        foreach (var (tp, offset) in offsets)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(offset, nameof(offsets));
            request.Offsets.Add(new OffsetCommitPartition { Topic = tp.Topic, Partition = tp.Partition, Offset = offset });
        }

        var response = await Coordinator(connection).AskAsync<OffsetCommitResponse>(
            request,
            r => r.Partitions.Select(p => p.ErrorCode).FirstOrDefault(c => c is (int)ErrorCode.CoordinatorNotAvailable or (int)ErrorCode.NotCoordinator),
            connection.RequestTimeout,
            cancellationToken).ConfigureAwait(false);
        foreach (var result in response.Partitions)
        {
            var code = (ErrorCode)result.ErrorCode;
            if (code != ErrorCode.None)
            {
                var tp = new TopicPartition(result.Topic, result.Partition);
                throw ActorStreamException.For(tp, code, $"Commit to group {groupId} failed");
            }
        }
    }

    private static async Task<IReadOnlyDictionary<TopicPartition, long>> FetchCommittedAsync(
        ClientConnection connection, GroupCoordinatorLookup coordinator, string groupId, IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var request = new OffsetFetchRequest { GroupId = groupId };
        request.Partitions.AddRange(partitions.Select(tp => new GroupPartition { Topic = tp.Topic, Partition = tp.Partition }));
        if (request.Partitions.Count == 0)
        {
            return new Dictionary<TopicPartition, long>();
        }

        var response = await coordinator.AskAsync<OffsetFetchResponse>(request, r => r.ErrorCode, connection.RequestTimeout, cancellationToken).ConfigureAwait(false);
        if ((ErrorCode)response.ErrorCode is not (ErrorCode.None or ErrorCode.GroupIdNotFound))
        {
            throw new ActorStreamException((ErrorCode)response.ErrorCode, $"OffsetFetch for group {groupId} failed");
        }

        var committed = new Dictionary<TopicPartition, long>();
        foreach (var p in response.Partitions)
        {
            if ((ErrorCode)p.ErrorCode == ErrorCode.None && p.Offset >= 0)
            {
                committed[new TopicPartition(p.Topic, p.Partition)] = p.Offset;
            }
        }

        return committed;
    }

    /// <summary>Applies what the member actor reported: revoke (commit first) and rejoin, lost, or a new assignment.</summary>
    private async Task ProcessGroupAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        if (_subscription is null)
        {
            return;
        }

        if (_member is null)
        {
            _session = new GroupSession();
            _memberSettings = new GroupMemberSettings(
                _config.GroupId!,
                _config.GroupInstanceId,
                _config.ClientId,
                _subscription,
                _subscriptionPattern,
                ConsumerConfig.ParseStrategy(_config.PartitionAssignmentStrategy),
                _config.SessionTimeoutMs,
                _config.MaxPollIntervalMs,
                _config.HeartbeatIntervalMs,
                _config.RetryBackoffMs);
            _member = connection.System.ActorOf(GroupMemberActor.Props(connection, Coordinator(connection), _session, _memberSettings), "group-member-" + Guid.NewGuid().ToString("N")[..8]);
        }

        var (lost, revoke, assignment) = _session!.Take();
        if (lost || revoke)
        {
            var owned = _assignment.Keys.ToList();
            if (revoke && _config.EnableAutoCommit)
            {
                await CommitQuietlyAsync(cancellationToken).ConfigureAwait(false);
            }

            Assign([]);
            if (owned.Count > 0)
            {
                if (lost)
                {
                    _listener?.OnPartitionsLost(owned);
                }
                else
                {
                    _listener?.OnPartitionsRevoked(owned);
                }
            }

            _member.Tell(new GroupMemberActor.Rejoin([]));
        }

        if (assignment is not null)
        {
            await ApplyAssignmentAsync(connection, assignment, cancellationToken).ConfigureAwait(false);
        }

        if (_config.EnableAutoCommit && DateTimeOffset.UtcNow >= _nextAutoCommit && _autoCommit is null or { IsCompleted: true })
        {
            _nextAutoCommit = DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(_config.AutoCommitIntervalMs);
            var positions = CurrentPositions();
            _autoCommit = CommitQuietlyAsync(positions, CancellationToken.None);
        }
    }

    /// <summary>
    /// A new generation's assignment: partitions taken away are committed (auto-commit) and revoked, new ones start from the
    /// committed offset. Cooperative: the kept partitions were never paused; if some were taken away the member rejoins at
    /// once so the coordinator can give them to their new owner (KIP-429's second rebalance).
    /// </summary>
    private async Task ApplyAssignmentAsync(ClientConnection connection, IReadOnlyList<TopicPartition> assignment, CancellationToken cancellationToken)
    {
        var added = assignment.Where(tp => !_assignment.ContainsKey(tp)).ToList();
        var removed = _assignment.Keys.Where(tp => !assignment.Contains(tp)).ToList();
        if (removed.Count > 0 && _config.EnableAutoCommit)
        {
            await CommitQuietlyAsync(CurrentPositions().Where(p => removed.Contains(p.Key)).ToDictionary(), cancellationToken).ConfigureAwait(false);
        }

        Assign(assignment);
        if (removed.Count > 0)
        {
            _listener?.OnPartitionsRevoked(removed);
            if (_memberSettings!.Cooperative)
            {
                _member!.Tell(new GroupMemberActor.Rejoin(_assignment.Keys.ToList()));
            }
        }

        if (added.Count > 0)
        {
            var committed = await FetchCommittedAsync(connection, Coordinator(connection), _config.GroupId!, added, cancellationToken).ConfigureAwait(false);
            foreach (var (tp, offset) in committed)
            {
                if (_assignment.TryGetValue(tp, out var state) && state.Position is null)
                {
                    state.Position = offset;
                }
            }

            _listener?.OnPartitionsAssigned(added);
        }
    }

    private Task CommitQuietlyAsync(CancellationToken cancellationToken) => CommitQuietlyAsync(CurrentPositions(), cancellationToken);

    private async Task CommitQuietlyAsync(IReadOnlyDictionary<TopicPartition, long> positions, CancellationToken cancellationToken)
    {
        try
        {
            await CommitInternalAsync(positions, cancellationToken).ConfigureAwait(false);
        }
        catch (ActorStreamException e)
        {
            _started.Result.Log.Warning("Auto-commit for group {0} failed: {1}", _config.GroupId, e.Message);
        }
    }

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
        var connection = _started.Result;
        while (true)
        {
            _session?.Polled();
            if (_subscription is not null)
            {
                await ProcessGroupAsync(connection, cancellationToken).ConfigureAwait(false);
                await EnsureMetadataAsync(connection, cancellationToken).ConfigureAwait(false);
            }

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

            if (_subscription is not null && remaining > TimeSpan.FromMilliseconds(100))
            {
                remaining = TimeSpan.FromMilliseconds(100); // notice group events promptly
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

        await EnsureMetadataAsync(connection, cancellationToken).ConfigureAwait(false);
        return _fetcher;
    }

    private async Task EnsureMetadataAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        var missing = _assignment.Keys.Select(tp => tp.Topic).Where(t => connection.Metadata.PartitionCount(t) is null).Distinct().ToList();
        if (missing.Count > 0)
        {
            await connection.RefreshAsync(missing, allowAutoTopicCreation: false, cancellationToken).ConfigureAwait(false);
        }
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

    public ValueTask DisposeAsync() => CloseAsync(DefaultCloseTimeout);

    /// <summary>
    /// Close within <paramref name="timeout"/> (Kafka's close(Duration)): the final commit (auto-commit on) and LeaveGroup get
    /// that long together; a coordinator that is gone or moving never holds the close longer.
    /// </summary>
    public async ValueTask CloseAsync(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            var connection = await _started.ConfigureAwait(false);
            if (_member is not null)
            {
                await LeaveGroupAsync(connection, timeout).ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (ActorStreamException)
        {
            // Never connected: nothing to stop.
        }
    }

    /// <summary>
    /// Close: Kafka's close, same as <see cref="DisposeAsync"/>: commits with auto-commit on, revokes, then leaves the group
    /// (a static member, with <c>group.instance.id</c>, does not leave: it keeps its partitions for <c>session.timeout.ms</c>).
    /// </summary>
    public void Close() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task LeaveGroupAsync(ClientConnection connection, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            if (_autoCommit is not null)
            {
                await _autoCommit.WaitAsync(cts.Token).ConfigureAwait(false);
            }

            if (_config.EnableAutoCommit && _session!.Identity.Generation >= 0)
            {
                await CommitQuietlyAsync(cts.Token).ConfigureAwait(false);
            }

            var owned = _assignment.Keys.ToList();
            Assign([]);
            if (owned.Count > 0)
            {
                _listener?.OnPartitionsRevoked(owned);
            }

            var left = await _member!.Ask<LeaveGroupResponse>(new GroupMemberActor.Leave(), Timeout.InfiniteTimeSpan, cts.Token).ConfigureAwait(false);
            if ((ErrorCode)left.ErrorCode is not ErrorCode.None and not ErrorCode.UnknownMemberId)
            {
                connection.Log.Warning("Leaving group {0} did not complete: {1}", _config.GroupId, (ErrorCode)left.ErrorCode);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or AskTimeoutException or ActorStreamException)
        {
            connection.Log.Warning("Leaving group {0} did not complete within {1} ms: {2}", _config.GroupId, timeout.TotalMilliseconds, e.Message);
            _member?.Tell(PoisonPill.Instance);
        }
    }
}
