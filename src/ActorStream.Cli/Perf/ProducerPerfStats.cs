using System.Diagnostics;
using System.Globalization;
using HdrHistogram;

namespace ActorStream.Cli.Perf;

/// <summary>
/// Latency and throughput of <c>perf produce</c>, reported exactly like kafka-producer-perf-test: a window line
/// every five seconds and the closing summary line. Latencies are recorded in microseconds (HdrHistogram, 3
/// significant digits) and printed in milliseconds. Thread-safe: completions arrive on many threads.
/// </summary>
internal sealed class ProducerPerfStats(long recordSize, TextWriter output)
{
    private static readonly TimeSpan ReportingInterval = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly LongHistogram _latencies = new(TimeSpan.FromMinutes(10).Ticks / 10, 3);
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private long _count;
    private long _bytes;
    private long _windowStartTicks;
    private long _windowCount;
    private long _windowBytes;
    private long _windowLatencyMicros;
    private long _windowMaxMicros;

    public long Count => Interlocked.Read(ref _count);

    public void Record(TimeSpan latency)
    {
        var micros = Math.Max(1, (long)latency.TotalMicroseconds);
        lock (_lock)
        {
            _latencies.RecordValue(micros);
            _count++;
            _bytes += recordSize;
            _windowCount++;
            _windowBytes += recordSize;
            _windowLatencyMicros += micros;
            _windowMaxMicros = Math.Max(_windowMaxMicros, micros);
            if (_total.Elapsed.Ticks - _windowStartTicks >= ReportingInterval.Ticks)
            {
                PrintWindow();
            }
        }
    }

    private void PrintWindow()
    {
        var seconds = (_total.Elapsed.Ticks - _windowStartTicks) / (double)TimeSpan.TicksPerSecond;
        output.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            "{0} records sent, {1:F1} records/sec ({2:F2} MB/sec), {3:F1} ms avg latency, {4:F1} ms max latency.",
            _windowCount,
            _windowCount / seconds,
            _windowBytes / seconds / (1024.0 * 1024.0),
            _windowLatencyMicros / 1000.0 / Math.Max(1, _windowCount),
            _windowMaxMicros / 1000.0));
        _windowStartTicks = _total.Elapsed.Ticks;
        _windowCount = 0;
        _windowBytes = 0;
        _windowLatencyMicros = 0;
        _windowMaxMicros = 0;
    }

    /// <summary>kafka-producer-perf-test's closing line.</summary>
    public string Summary()
    {
        lock (_lock)
        {
            var seconds = _total.Elapsed.TotalSeconds;
            return string.Format(
                CultureInfo.InvariantCulture,
                "{0} records sent, {1:F6} records/sec ({2:F2} MB/sec), {3:F2} ms avg latency, {4:F2} ms max latency, {5:F2} ms 50th, {6:F2} ms 95th, {7:F2} ms 99th, {8:F2} ms 99.9th.",
                _count,
                _count / seconds,
                _bytes / seconds / (1024.0 * 1024.0),
                _count == 0 ? 0 : _latencies.GetMean() / 1000.0,
                _count == 0 ? 0 : _latencies.GetMaxValue() / 1000.0,
                Percentile(50),
                Percentile(95),
                Percentile(99),
                Percentile(99.9));
        }
    }

    /// <summary>In milliseconds with microsecond resolution: whole milliseconds (Kafka's format) hide sub-millisecond latency.</summary>
    private double Percentile(double percentile) => _count == 0 ? 0 : _latencies.GetValueAtPercentile(percentile) / 1000.0;
}
