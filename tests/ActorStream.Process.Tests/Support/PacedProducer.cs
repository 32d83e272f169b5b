using System.Collections.Concurrent;
using System.Diagnostics;
using ActorStream.Client;
using ActorStream.Client.Config;
using ActorStream.Client.Producer;
using ActorStream.Client.Serialization;

namespace ActorStream.Process.Tests.Support;

/// <summary>
/// Produces one numbered record (<see cref="SequencedProducer.Value"/>) to every partition of a topic per tick, so consumer
/// processes print a steady, modest stream (a few hundred lines a second at most), and remembers which values were
/// acknowledged, when each was sent and when it was acknowledged (<see cref="Stopwatch"/> timestamps).
/// </summary>
public sealed class PacedProducer : IAsyncDisposable
{
    private readonly Producer<Null, string> _producer;
    private readonly string _topic;
    private readonly int _partitions;
    private readonly TimeSpan _interval;
    private readonly ConcurrentDictionary<string, (long SentAt, long AcknowledgedAt)> _acknowledged = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentBag<Task> _sends = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public PacedProducer(ProducerConfig config, string topic, int partitions, TimeSpan interval)
    {
        _producer = new Producer<Null, string>(config, Serializers.Null, Serializers.Utf8);
        _topic = topic;
        _partitions = partitions;
        _interval = interval;
    }

    /// <summary>Acknowledged values, when each was sent and when it was acknowledged.</summary>
    public IReadOnlyDictionary<string, (long SentAt, long AcknowledgedAt)> Acknowledged => _acknowledged;

    public IReadOnlyCollection<string> Failures => _failures;

    public async Task StartAsync()
    {
        await _producer.ConnectedTask;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>
    /// When every partition had acknowledged a record sent at or after <paramref name="since"/> (the latest, over the
    /// partitions, of each one's first such acknowledgement; null: not every partition yet).
    /// </summary>
    public long? EveryPartitionAcknowledgedSince(long since)
    {
        var first = new long?[_partitions];
        foreach (var (value, (sentAt, acknowledgedAt)) in _acknowledged)
        {
            if (sentAt >= since)
            {
                var (partition, _) = SequencedProducer.Parse(value);
                first[partition] = first[partition] is { } f ? Math.Min(f, acknowledgedAt) : acknowledgedAt;
            }
        }

        return first.All(f => f is not null) ? first.Max() : null;
    }

    /// <summary>Stops sending and waits until every record sent is acknowledged or failed.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.WaitAsync(timeout);
        }

        await Task.WhenAll(_sends).WaitAsync(timeout);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_interval);
        var sequence = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                for (var partition = 0; partition < _partitions; partition++)
                {
                    var value = SequencedProducer.Value(partition, sequence);
                    var sentAt = Stopwatch.GetTimestamp();
                    _sends.Add(_producer.ProduceAsync(_topic, null, value, partition, cancellationToken: CancellationToken.None).ContinueWith(
                        t =>
                        {
                            if (t.IsCompletedSuccessfully)
                            {
                                _acknowledged[value] = (sentAt, Stopwatch.GetTimestamp());
                            }
                            else
                            {
                                _failures.Enqueue($"{value}: {t.Exception?.GetBaseException().Message ?? "cancelled"}");
                            }
                        },
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default));
                }

                sequence++;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _producer.DisposeAsync();
        _stop.Dispose();
    }
}
