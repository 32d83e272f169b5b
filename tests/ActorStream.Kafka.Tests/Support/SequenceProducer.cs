using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>
/// Drives a Confluent.Kafka producer with a numbered sequence into one partition (values <c>000000042</c>), paced at
/// about <c>perTick</c> records every 10 ms with at most <c>window</c> unacknowledged, and remembers exactly which
/// sequence numbers were acknowledged at which offset, and which failed.
/// </summary>
public sealed class SequenceProducer : IAsyncDisposable
{
    private readonly IProducer<Null, string> _producer;
    private readonly TopicPartition _partition;
    private readonly int _window;
    private readonly int _perTick;
    private readonly ConcurrentDictionary<long, long> _acknowledged = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly CancellationTokenSource _stop = new();
    private long _next;
    private Task? _loop;

    public SequenceProducer(IProducer<Null, string> producer, TopicPartition partition, int window = 200, int perTick = 10)
    {
        _producer = producer;
        _partition = partition;
        _window = window;
        _perTick = perTick;
    }

    /// <summary>The next sequence number to be sent: every record sent from now on has at least this one.</summary>
    public long Next => Interlocked.Read(ref _next);

    /// <summary>Acknowledged sequence number → offset.</summary>
    public IReadOnlyDictionary<long, long> Acknowledged => _acknowledged;

    public IReadOnlyCollection<string> Failures => _failures;

    public static long Parse(string value) => long.Parse(value, CultureInfo.InvariantCulture);

    /// <summary>Whether a record numbered <paramref name="sequence"/> or later was acknowledged.</summary>
    public bool AcknowledgedFrom(long sequence) => _acknowledged.Keys.Any(s => s >= sequence);

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Stops sending and waits until every record sent is acknowledged or failed.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await _stop.CancelAsync();
        await _loop!.WaitAsync(timeout);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        using var window = new SemaphoreSlim(_window);
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await ticks.WaitForNextTickAsync(stop))
            {
                for (var i = 0; i < _perTick; i++)
                {
                    await window.WaitAsync(stop);
                    var sequence = _next;
                    try
                    {
                        _producer.Produce(_partition, new Message<Null, string> { Value = sequence.ToString("D9", CultureInfo.InvariantCulture) }, report =>
                        {
                            if (report.Error.IsError)
                            {
                                _failures.Enqueue($"{sequence}: {report.Error.Code} {report.Error.Reason}");
                            }
                            else
                            {
                                _acknowledged[sequence] = report.Offset.Value;
                            }

                            window.Release();
                        });
                    }
                    catch (ProduceException<Null, string> e)
                    {
                        _failures.Enqueue($"{sequence}: not sent: {e.Error.Code} {e.Error.Reason}");
                        window.Release();
                    }

                    Interlocked.Increment(ref _next);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        // Every permit still taken belongs to a record in flight: holding all of them means all have settled.
        for (var i = 0; i < _window; i++)
        {
            await window.WaitAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(150));
        }

        _stop.Dispose();
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{_next} sent, {_acknowledged.Count} acknowledged, {_failures.Count} failed");
        foreach (var failure in _failures.Take(5))
        {
            text.Append("; ").Append(failure);
        }

        return text.ToString();
    }
}
