using System.Diagnostics;

namespace ActorStream.Bench.Measurement;

/// <summary>
/// Paces sends to a fixed rate: send <c>i</c> is due at start + i / rate. A sender ahead of schedule by a millisecond
/// or more sleeps (timers have about a millisecond's resolution), so records leave in bursts of a few per millisecond,
/// as with kafka-producer-perf-test's throttle. Latency is measured from each record's actual send.
/// </summary>
internal sealed class RatePacer(int recordsPerSecond)
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public ValueTask WaitTurnAsync(long index, CancellationToken cancellationToken)
    {
        var due = _start + (long)(index * (double)Stopwatch.Frequency / recordsPerSecond);
        var ahead = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        return ahead.TotalMilliseconds >= 1 ? new ValueTask(Task.Delay(ahead, cancellationToken)) : ValueTask.CompletedTask;
    }
}
