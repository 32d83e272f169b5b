using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ActorStream.Client;
using ActorStream.Client.Config;
using ActorStream.Client.Producer;
using ActorStream.Client.Serialization;

namespace ActorStream.Process.Tests.Support;

/// <summary>
/// Produces continuously to every partition of a topic, each value <c>&lt;partition&gt;:&lt;sequence&gt;</c> with a
/// per-partition sequence, keeping up to <c>window</c> records in flight per partition (so that retries after a
/// failover really can reorder or duplicate), and remembers exactly which records were acknowledged and where.
/// </summary>
public sealed class SequencedProducer : IAsyncDisposable
{
    private readonly Producer<Null, string> _producer;
    private readonly string _topic;
    private readonly int _window;
    private readonly ConcurrentQueue<Acknowledged>[] _acknowledged;
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    /// <summary>One acknowledged record; times are <see cref="Stopwatch"/> timestamps.</summary>
    public readonly record struct Acknowledged(long Sequence, long Offset, long SentAt, long AcknowledgedAt);

    public SequencedProducer(ProducerConfig config, string topic, int partitions, int window)
    {
        _producer = new Producer<Null, string>(config, Serializers.Null, Serializers.Utf8);
        _topic = topic;
        _window = window;
        _acknowledged = Enumerable.Range(0, partitions).Select(_ => new ConcurrentQueue<Acknowledged>()).ToArray();
    }

    public IReadOnlyCollection<string> Failures => _failures;

    public static string Value(int partition, long sequence) => $"{partition}:{sequence.ToString("D9", CultureInfo.InvariantCulture)}";

    public static (int Partition, long Sequence) Parse(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return (int.Parse(value.AsSpan(0, colon), CultureInfo.InvariantCulture), long.Parse(value.AsSpan(colon + 1), CultureInfo.InvariantCulture));
    }

    public async Task StartAsync()
    {
        await _producer.ConnectedTask;
        for (var partition = 0; partition < _acknowledged.Length; partition++)
        {
            var p = partition;
            _loops.Add(Task.Run(() => RunAsync(p, _stop.Token)));
        }
    }

    public IReadOnlyList<Acknowledged> AcknowledgedIn(int partition) => _acknowledged[partition].ToArray();

    public long AcknowledgedCount => _acknowledged.Sum(q => (long)q.Count);

    /// <summary>When the first record sent at or after <paramref name="since"/> was acknowledged, or null.</summary>
    public long? FirstAcknowledgedSentSince(int partition, long since)
    {
        long? first = null;
        foreach (var ack in _acknowledged[partition])
        {
            if (ack.SentAt >= since && (first is null || ack.AcknowledgedAt < first))
            {
                first = ack.AcknowledgedAt;
            }
        }

        return first;
    }

    /// <summary>Stops sending and waits until every record sent is either acknowledged or failed.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops).WaitAsync(timeout);
    }

    private async Task RunAsync(int partition, CancellationToken stop)
    {
        using var window = new SemaphoreSlim(_window);
        for (var sequence = 0L; ; sequence++)
        {
            try
            {
                await window.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                // Every permit still taken belongs to a record in flight: holding all of them means all have settled.
                for (var i = 0; i < _window; i++)
                {
                    await window.WaitAsync(CancellationToken.None);
                }

                return;
            }

            var s = sequence;
            var sentAt = Stopwatch.GetTimestamp();
            var send = _producer.ProduceAsync(_topic, null, Value(partition, s), partition, cancellationToken: CancellationToken.None);
            _ = send.ContinueWith(
                t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        _acknowledged[partition].Enqueue(new Acknowledged(s, t.Result.Offset, sentAt, Stopwatch.GetTimestamp()));
                    }
                    else
                    {
                        _failures.Enqueue($"{Value(partition, s)}: {t.Exception?.GetBaseException().Message ?? "cancelled"}");
                    }

                    window.Release();
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _producer.DisposeAsync();
        _stop.Dispose();
    }
}
