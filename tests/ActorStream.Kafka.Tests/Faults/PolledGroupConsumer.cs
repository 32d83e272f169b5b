using System.Diagnostics;
using Confluent.Kafka;
using ActorStream.Kafka.Tests.Support;

namespace ActorStream.Kafka.Tests.Faults;

/// <summary>What a <see cref="PolledGroupConsumer"/> saw, in the order its poll thread saw it.</summary>
public abstract record GroupConsumerEvent(TimeSpan At);

/// <summary>The group handed the consumer these partitions (eager: the whole new assignment).</summary>
public sealed record PartitionsAssigned(TimeSpan At, IReadOnlyList<int> Partitions) : GroupConsumerEvent(At);

/// <summary>The consumer gave these partitions up (revoked or lost).</summary>
public sealed record PartitionsRevoked(TimeSpan At, IReadOnlyList<int> Partitions, bool Lost) : GroupConsumerEvent(At);

public sealed record RecordConsumed(TimeSpan At, int Partition, long Offset, string Value) : GroupConsumerEvent(At);

/// <summary>The coordinator acknowledged a commit of <paramref name="Offset"/> (the next offset to read) for the partition.</summary>
public sealed record OffsetCommitted(TimeSpan At, int Partition, long Offset) : GroupConsumerEvent(At);

/// <summary>
/// A Confluent.Kafka group consumer (<c>Subscribe</c>) of one topic polled on a thread of its own, as an application
/// polls: it logs every assignment, revocation, record and acknowledged commit with the time since <c>clock</c>
/// started. Commits are manual (<c>enable.auto.commit=false</c>): while <see cref="CommitsEnabled"/> the poll loop
/// commits its consumed positions every <see cref="CommitInterval"/>, so a test can stop commits, know exactly what
/// the coordinator acknowledged last, and check that a new owner of a partition starts there.
/// </summary>
public sealed class PolledGroupConsumer : IDisposable
{
    public static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(500);

    private readonly IConsumer<Ignore, string> _consumer;
    private readonly Stopwatch _clock;
    private readonly ITestOutputHelper _output;
    private readonly List<GroupConsumerEvent> _events = [];
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stop;
    private volatile bool _close;
    private volatile bool _commitsEnabled;
    private volatile string _memberId = "";
    private long _iterations;
    private int[] _assignment = [];

    public PolledGroupConsumer(string name, ConsumerConfig config, string topic, Stopwatch clock, ITestOutputHelper output, bool commitsEnabled = true)
    {
        Name = name;
        _clock = clock;
        _output = output;
        _commitsEnabled = commitsEnabled;
        config.EnableAutoCommit = false;
        config.Debug ??= Environment.GetEnvironmentVariable("ACTORSTREAM_KAFKA_DEBUG");
        _consumer = new ConsumerBuilder<Ignore, string>(config)
            .SetLogHandler((_, message) => KafkaClients.Log(output, message))
            .SetErrorHandler((_, error) => KafkaClients.Log(output, error))
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                var assigned = partitions.Select(p => p.Partition.Value).Order().ToArray();
                Volatile.Write(ref _assignment, assigned);
                Add(new PartitionsAssigned(_clock.Elapsed, assigned));
            })
            .SetPartitionsRevokedHandler((_, partitions) => Revoked(partitions, lost: false))
            .SetPartitionsLostHandler((_, partitions) => Revoked(partitions, lost: true))
            .Build();
        _consumer.Subscribe(topic);
        _thread = new Thread(Poll) { IsBackground = true, Name = $"consumer {name}" };
        _thread.Start();
    }

    public string Name { get; }

    /// <summary>The member id the coordinator gave this consumer (empty until it joined).</summary>
    public string MemberId => _memberId;

    /// <summary>The partitions assigned right now, in order.</summary>
    public IReadOnlyList<int> Assignment => Volatile.Read(ref _assignment);

    public bool CommitsEnabled => _commitsEnabled;

    public IReadOnlyList<GroupConsumerEvent> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToList();
            }
        }
    }

    public IReadOnlyList<RecordConsumed> Records => Events.OfType<RecordConsumed>().ToList();

    /// <summary>Per partition, the highest commit the coordinator acknowledged to this consumer.</summary>
    public IReadOnlyDictionary<int, long> LastCommitted =>
        Events.OfType<OffsetCommitted>().GroupBy(c => c.Partition).ToDictionary(g => g.Key, g => g.Max(c => c.Offset));

    /// <summary>Per partition, the highest commit the coordinator acknowledged to any of <paramref name="consumers"/>.</summary>
    public static IReadOnlyDictionary<int, long> LastCommittedBy(params PolledGroupConsumer[] consumers) =>
        consumers.SelectMany(c => c.LastCommitted).GroupBy(c => c.Key).ToDictionary(g => g.Key, g => g.Max(c => c.Value));

    public void EnableCommits() => _commitsEnabled = true;

    /// <summary>Stops committing and returns once no commit of this consumer can still be in flight.</summary>
    public async Task DisableCommitsAsync(TimeSpan timeout)
    {
        _commitsEnabled = false;
        // One whole loop iteration after the flag was seen: a commit started before it has returned.
        var seen = Interlocked.Read(ref _iterations);
        await Eventually.TrueAsync(() => Interlocked.Read(ref _iterations) >= seen + 2 || _stopped.Task.IsCompleted, timeout, $"consumer {Name}'s poll loop going round with commits off");
    }

    /// <summary>Stops polling and closes the consumer on its poll thread (librdkafka leaves the group: LeaveGroup).</summary>
    public Task CloseAsync(TimeSpan timeout)
    {
        _close = true;
        _stop = true;
        return _stopped.Task.WaitAsync(timeout);
    }

    private void Revoked(List<TopicPartitionOffset> partitions, bool lost)
    {
        Volatile.Write(ref _assignment, []);
        Add(new PartitionsRevoked(_clock.Elapsed, partitions.Select(p => p.Partition.Value).Order().ToArray(), lost));
    }

    private void Add(GroupConsumerEvent e)
    {
        lock (_events)
        {
            _events.Add(e);
        }
    }

    private void Poll()
    {
        var lastCommit = TimeSpan.Zero;
        try
        {
            while (!_stop)
            {
                try
                {
                    if (_consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
                    {
                        Add(new RecordConsumed(_clock.Elapsed, result.Partition.Value, result.Offset.Value, result.Message.Value));
                    }
                }
                catch (ConsumeException e)
                {
                    Log($"consume error {e.Error.Code}: {e.Error.Reason}");
                }

                _memberId = _consumer.MemberId ?? "";
                if (_commitsEnabled && _clock.Elapsed - lastCommit >= CommitInterval && Assignment.Count > 0)
                {
                    lastCommit = _clock.Elapsed;
                    Commit();
                }

                Interlocked.Increment(ref _iterations);
            }

            if (_close)
            {
                _consumer.Close();
            }
        }
        catch (Exception e)
        {
            Log($"poll loop failed: {e}");
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void Commit()
    {
        try
        {
            var committed = _consumer.Commit();
            var at = _clock.Elapsed;
            foreach (var offset in committed.Where(o => o.Offset.Value >= 0))
            {
                Add(new OffsetCommitted(at, offset.Partition.Value, offset.Offset.Value));
            }
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_NoOffset)
        {
            // Nothing consumed since the last commit.
        }
        catch (KafkaException e)
        {
            // While the coordinator moves or the group rebalances; nothing was acknowledged.
            Log($"commit failed {e.Error.Code}: {e.Error.Reason}");
        }
    }

    private void Log(string line)
    {
        try
        {
            _output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} consumer {Name}: {line}");
        }
        catch (InvalidOperationException)
        {
        }
    }

    public override string ToString()
    {
        var events = Events;
        return $"consumer {Name} (member {MemberId}): assignment [{string.Join(",", Assignment)}], {events.OfType<RecordConsumed>().Count()} records, "
            + $"{events.OfType<OffsetCommitted>().Count()} commits acknowledged, {events.Count(e => e is PartitionsAssigned)} assignments";
    }

    public void Dispose()
    {
        _stop = true;
        if (_thread.IsAlive && !_thread.Join(TimeSpan.FromSeconds(30)))
        {
            Log("poll thread did not stop in 30 s");
            return;
        }

        // Dispose closes the consumer (LeaveGroup) unless CloseAsync already did.
        _consumer.Dispose();
    }
}
