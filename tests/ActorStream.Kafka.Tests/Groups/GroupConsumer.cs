using System.Collections.Concurrent;
using System.Text.Json;
using ActorStream.Kafka.Tests.Support;
using Confluent.Kafka;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>A rebalance callback as the consumer saw it: assigned, revoked or lost, with the partitions it named.</summary>
public sealed record RebalanceEvent(string Kind, IReadOnlyList<int> Partitions)
{
    public override string ToString() => $"{Kind}[{string.Join(',', Partitions)}]";
}

/// <summary>An error <c>Consume</c> threw, with the partition it named (null if none).</summary>
public sealed record ConsumeError(Error Error, int? Partition)
{
    public override string ToString() => $"{Error.Code} on {Partition?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}: {Error.Reason}";
}

/// <summary>A record one consumer received.</summary>
public sealed record ConsumedRecord(int Partition, long Offset, string Value);

/// <summary>
/// One Confluent.Kafka consumer subscribed to a topic in a group, polled by <c>Consume(timeout)</c> on a dedicated
/// thread until stopped. It keeps what the specs assert on, all from the consumer's own point of view: its assignment
/// (from <c>SetPartitionsAssignedHandler</c> / <c>SetPartitionsRevokedHandler</c> / <c>SetPartitionsLostHandler</c>;
/// incremental for cooperative-sticky, the whole assignment for eager assignors), every rebalance callback, the
/// records it received, the errors <c>Consume</c> threw, and librdkafka's statistics (rebalance count, heartbeats
/// sent). Everything the consumer does (subscribe, commit, close) runs on its poll thread; other threads hand it work
/// with <see cref="InvokeAsync{T}"/>. Thread-safe to read.
/// </summary>
public sealed class GroupConsumer : IAsyncDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    private readonly IConsumer<string, string> _consumer;
    private readonly PartitionOwnership? _ownership;
    private readonly ITestOutputHelper _output;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Action<IConsumer<string, string>>> _work = new();
    private readonly object _lock = new();
    private readonly HashSet<TopicPartition> _assignment = [];
    private readonly List<RebalanceEvent> _events = [];
    private readonly List<ConsumedRecord> _records = [];
    private readonly List<ConsumeError> _errors = [];
    private readonly List<Error> _clientErrors = [];
    private readonly Task _loop;
    private long _rebalanceCount = -1;
    private long _heartbeatsSent;
    private long _statistics;
    private string _joinState = "";
    private int _disposed;

    private GroupConsumer(string name, ConsumerConfig config, IReadOnlyList<string> topics, PartitionOwnership? ownership, ITestOutputHelper output)
    {
        Name = name;
        _ownership = ownership;
        _output = output;
        _consumer = new ConsumerBuilder<string, string>(config)
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => OnReleased("revoked", partitions.Select(p => p.TopicPartition).ToList()))
            .SetPartitionsLostHandler((_, partitions) => OnReleased("lost", partitions.Select(p => p.TopicPartition).ToList()))
            .SetStatisticsHandler((_, json) => OnStatistics(json))
            .SetLogHandler((_, message) => KafkaClients.Log(output, message))
            .SetErrorHandler((_, error) => OnError(error))
            .Build();
        _loop = Task.Factory.StartNew(() => Poll(topics), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public string Name { get; }

    /// <summary>The member id the coordinator gave this consumer (empty until it joined).</summary>
    public string MemberId => _consumer.MemberId;

    /// <summary>What the rebalance callbacks handed this consumer and did not take back.</summary>
    public IReadOnlySet<TopicPartition> Assignment
    {
        get
        {
            lock (_lock)
            {
                return _assignment.ToHashSet();
            }
        }
    }

    /// <summary>The partition numbers of <see cref="Assignment"/>, sorted.</summary>
    public IReadOnlyList<int> AssignedPartitions => Assignment.Select(p => p.Partition.Value).Order().ToList();

    public IReadOnlyList<RebalanceEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<ConsumedRecord> Records
    {
        get
        {
            lock (_lock)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>The errors <c>Consume</c> threw (<see cref="ConsumeException"/>): how librdkafka reports e.g. <c>auto.offset.reset=error</c>.</summary>
    public IReadOnlyList<ConsumeError> Errors
    {
        get
        {
            lock (_lock)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>What librdkafka's error callback reported (transport errors, fatal errors such as FENCED_INSTANCE_ID).</summary>
    public IReadOnlyList<Error> ClientErrors
    {
        get
        {
            lock (_lock)
            {
                return [.. _clientErrors];
            }
        }
    }

    /// <summary>librdkafka's <c>cgrp.rebalance_cnt</c> from the last statistics (-1 before the first; needs <c>statistics.interval.ms</c>).</summary>
    public long RebalanceCount => Interlocked.Read(ref _rebalanceCount);

    /// <summary>Heartbeat requests sent, summed over the brokers of the last statistics.</summary>
    public long HeartbeatsSent => Interlocked.Read(ref _heartbeatsSent);

    /// <summary>How many statistics callbacks arrived.</summary>
    public long StatisticsCount => Interlocked.Read(ref _statistics);

    /// <summary>True once the poll thread has ended (stopped, or the consumer failed).</summary>
    public bool HasStopped => _loop.IsCompleted;

    /// <summary>Starts a consumer subscribed to <paramref name="topics"/>; it polls until <see cref="StopAsync"/>.</summary>
    public static GroupConsumer Start(string name, ConsumerConfig config, IReadOnlyList<string> topics, ITestOutputHelper output, PartitionOwnership? ownership = null) =>
        new(name, config, topics, ownership, output);

    public static GroupConsumer Start(string name, ConsumerConfig config, string topic, ITestOutputHelper output, PartitionOwnership? ownership = null) =>
        Start(name, config, [topic], output, ownership);

    /// <summary>Runs <paramref name="work"/> on the poll thread (between two polls) and returns its result.</summary>
    public Task<T> InvokeAsync<T>(Func<IConsumer<string, string>, T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Enqueue(consumer =>
        {
            try
            {
                done.SetResult(work(consumer));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        if (_loop.IsCompleted)
        {
            done.TrySetException(new InvalidOperationException($"{Name}'s poll thread has ended"));
        }

        return done.Task;
    }

    /// <summary>Commits the offsets of the records consumed so far (synchronously, on the poll thread).</summary>
    public Task<List<TopicPartitionOffset>> CommitAsync() => InvokeAsync(consumer => consumer.Commit());

    /// <summary>
    /// Stops polling and closes the consumer (<c>Close</c>: revokes the assignment, commits with auto-commit, sends
    /// LeaveGroup unless it is a static member), then disposes it.
    /// </summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        await _loop.WaitAsync(GroupConsumers.Patience);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await StopAsync();
        }
        catch (TimeoutException)
        {
            _output.WriteLine($"{Name}: the poll thread did not end in {GroupConsumers.Patience}");
        }

        _stop.Dispose();
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return $"{Name} (member {MemberId}, {_joinState}, rebalances {RebalanceCount}): assigned [{string.Join(',', _assignment.Select(p => p.Partition.Value).Order())}], " +
                $"{_records.Count} records, events {string.Join(' ', _events)}, errors [{string.Join("; ", _errors)}]";
        }
    }

    private void Poll(IReadOnlyList<string> topics)
    {
        try
        {
            _consumer.Subscribe(topics);
            while (!_stop.IsCancellationRequested)
            {
                while (_work.TryDequeue(out var work))
                {
                    work(_consumer);
                }

                try
                {
                    if (_consumer.Consume(PollTimeout) is { IsPartitionEOF: false } result)
                    {
                        lock (_lock)
                        {
                            _records.Add(new ConsumedRecord(result.Partition.Value, result.Offset.Value, result.Message.Value));
                        }
                    }
                }
                catch (ConsumeException e)
                {
                    lock (_lock)
                    {
                        _errors.Add(new ConsumeError(e.Error, e.ConsumerRecord?.Partition.Value));
                    }

                    _output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {Name}: Consume threw {e.Error.Code}: {e.Error.Reason}");
                }
            }

            try
            {
                _consumer.Close();
            }
            catch (KafkaException e) when (e.Error.IsFatal)
            {
                // A consumer that hit a fatal error (FENCED_INSTANCE_ID) cannot close cleanly: librdkafka says why.
                OnError(e.Error);
            }
        }
        finally
        {
            while (_work.TryDequeue(out var work))
            {
                try
                {
                    work(_consumer);
                }
                catch (ObjectDisposedException)
                {
                }
            }

            _consumer.Dispose();
        }
    }

    private void OnError(Error error)
    {
        lock (_lock)
        {
            _clientErrors.Add(error);
        }

        KafkaClients.Log(_output, error);
    }

    private void OnAssigned(IReadOnlyList<TopicPartition> partitions)
    {
        _ownership?.Acquire(Name, partitions);
        lock (_lock)
        {
            _assignment.UnionWith(partitions);
            _events.Add(new RebalanceEvent("assigned", partitions.Select(p => p.Partition.Value).Order().ToList()));
        }

        _output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {Name}: assigned [{string.Join(',', partitions.Select(p => p.Partition.Value))}]");
    }

    private void OnReleased(string kind, IReadOnlyList<TopicPartition> partitions)
    {
        lock (_lock)
        {
            _assignment.ExceptWith(partitions);
            _events.Add(new RebalanceEvent(kind, partitions.Select(p => p.Partition.Value).Order().ToList()));
        }

        // Released after this consumer stopped using them: from here on another member may own them.
        _ownership?.Release(Name, partitions);
        _output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {Name}: {kind} [{string.Join(',', partitions.Select(p => p.Partition.Value))}]");
    }

    private void OnStatistics(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.TryGetProperty("cgrp", out var group))
        {
            if (group.TryGetProperty("rebalance_cnt", out var count))
            {
                Interlocked.Exchange(ref _rebalanceCount, count.GetInt64());
            }

            if (group.TryGetProperty("join_state", out var joinState))
            {
                lock (_lock)
                {
                    _joinState = joinState.GetString() ?? "";
                }
            }
        }

        long heartbeats = 0;
        if (root.TryGetProperty("brokers", out var brokers))
        {
            foreach (var broker in brokers.EnumerateObject())
            {
                if (broker.Value.TryGetProperty("req", out var requests) && requests.TryGetProperty("Heartbeat", out var sent))
                {
                    heartbeats += sent.GetInt64();
                }
            }
        }

        Interlocked.Exchange(ref _heartbeatsSent, heartbeats);
        Interlocked.Increment(ref _statistics);
    }
}
