using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace ActorStream.Kafka.Tests.Faults;

/// <summary>A record the broker acknowledged: where it went, its value, and when it was sent (time since the clock started).</summary>
public sealed record AcknowledgedRecord(int Partition, long Offset, long Sequence, TimeSpan SentAt);

/// <summary>
/// Sends numbered records (values <c>000000042</c>) round robin over a topic's partitions, one every
/// <c>interval</c>, through an idempotent acks=all Confluent.Kafka producer, and remembers which were acknowledged at
/// which partition and offset (and which failed): what a consumer group must read at least once.
/// </summary>
public sealed class PacedProducer : IAsyncDisposable
{
    private readonly IProducer<Null, string> _producer;
    private readonly string _topic;
    private readonly int _partitions;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _clock;
    private readonly ConcurrentDictionary<long, AcknowledgedRecord> _acknowledged = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly CancellationTokenSource _stop = new();
    private long _next;
    private Task? _loop;

    public PacedProducer(IProducer<Null, string> producer, string topic, int partitions, TimeSpan interval, Stopwatch clock)
    {
        _producer = producer;
        _topic = topic;
        _partitions = partitions;
        _interval = interval;
        _clock = clock;
    }

    /// <summary>The next sequence number to be sent: every record sent from now on has at least this one.</summary>
    public long Next => Interlocked.Read(ref _next);

    public IReadOnlyCollection<AcknowledgedRecord> Acknowledged => _acknowledged.Values.ToList();

    public IReadOnlyCollection<string> Failures => _failures;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Whether every partition acknowledged a record numbered <paramref name="sequence"/> or later.</summary>
    public bool EveryPartitionAcknowledgedFrom(long sequence) =>
        _acknowledged.Values.Where(r => r.Sequence >= sequence).Select(r => r.Partition).Distinct().Count() == _partitions;

    /// <summary>Stops sending and waits until every record sent is acknowledged or failed.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await _stop.CancelAsync();
        await _loop!.WaitAsync(timeout);
        await Task.Run(() => _producer.Flush(timeout));
    }

    private async Task RunAsync(CancellationToken stop)
    {
        using var ticks = new PeriodicTimer(_interval);
        try
        {
            while (await ticks.WaitForNextTickAsync(stop))
            {
                var sequence = _next;
                var partition = (int)(sequence % _partitions);
                var sentAt = _clock.Elapsed;
                try
                {
                    _producer.Produce(
                        new TopicPartition(_topic, partition),
                        new Message<Null, string> { Value = sequence.ToString("D9", CultureInfo.InvariantCulture) },
                        report =>
                        {
                            if (report.Error.IsError)
                            {
                                _failures.Enqueue($"{sequence}: {report.Error.Code} {report.Error.Reason}");
                            }
                            else
                            {
                                _acknowledged[sequence] = new AcknowledgedRecord(partition, report.Offset.Value, sequence, sentAt);
                            }
                        });
                }
                catch (ProduceException<Null, string> e)
                {
                    _failures.Enqueue($"{sequence}: not sent: {e.Error.Code} {e.Error.Reason}");
                }

                Interlocked.Increment(ref _next);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(30));
        }

        _stop.Dispose();
    }

    public override string ToString() =>
        $"{Next} sent, {_acknowledged.Count} acknowledged, {_failures.Count} failed{string.Concat(_failures.Take(5).Select(f => "; " + f))}";
}
