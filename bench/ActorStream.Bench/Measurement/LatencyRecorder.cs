using System.Diagnostics;
using HdrHistogram;

namespace ActorStream.Bench.Measurement;

/// <summary>
/// End-to-end latencies (producer send to consumer receive) in microseconds, HdrHistogram with 3 significant digits.
/// Records whose index is below <c>warmup</c> are counted as received but not recorded. Thread-safe.
/// </summary>
internal sealed class LatencyRecorder(long warmup)
{
    private readonly Lock _lock = new();
    private readonly LongHistogram _histogram = new(TimeSpan.FromMinutes(5).Ticks / 10, 3);
    private long _received;
    private long _lastReceivedTimestamp;

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Stopwatch timestamp of the last record received.</summary>
    public long LastReceivedTimestamp => Interlocked.Read(ref _lastReceivedTimestamp);

    public void Receive(ReadOnlySpan<byte> value)
    {
        var now = Stopwatch.GetTimestamp();
        var (sent, index) = LatencyStamp.Read(value);
        var micros = Math.Max(1, (long)Stopwatch.GetElapsedTime(sent, now).TotalMicroseconds);
        lock (_lock)
        {
            if (index >= warmup)
            {
                _histogram.RecordValue(micros);
            }

            _received++;
            _lastReceivedTimestamp = now;
        }
    }

    public LatencySummary Summary()
    {
        lock (_lock)
        {
            return _histogram.TotalCount == 0
                ? new LatencySummary(0, 0, 0, 0, 0)
                : new LatencySummary(
                    _histogram.TotalCount,
                    _histogram.GetValueAtPercentile(50) / 1000.0,
                    _histogram.GetValueAtPercentile(99) / 1000.0,
                    _histogram.GetValueAtPercentile(99.9) / 1000.0,
                    _histogram.GetMaxValue() / 1000.0);
        }
    }

    /// <summary>
    /// Waits until <paramref name="records"/> were received; fails after <paramref name="idle"/> without one, or with
    /// the consumer's own failure when <paramref name="consumer"/> faults first.
    /// </summary>
    public async Task WaitForAsync(long records, TimeSpan idle, Task consumer, CancellationToken cancellationToken)
    {
        var lastCount = -1L;
        var lastProgress = Stopwatch.GetTimestamp();
        while (Received < records)
        {
            if (consumer.IsFaulted)
            {
                throw new InvalidOperationException($"the consumer failed after {Received} of {records} records", consumer.Exception!.GetBaseException());
            }

            if (Received != lastCount)
            {
                lastCount = Received;
                lastProgress = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > idle)
            {
                throw new TimeoutException($"received {Received} of {records} records, then nothing for {idle.TotalSeconds:F0} s");
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Latency percentiles in milliseconds over <c>Count</c> recorded records.</summary>
internal sealed record LatencySummary(long Count, double P50Ms, double P99Ms, double P999Ms, double MaxMs);
