namespace ActorStream.Client.Producer;

/// <summary>
/// A one-shot wake-up for a node's sender when its next batch becomes ready (linger or retry backoff expiry). Akka's
/// scheduler runs on a 10 ms tick, so a 1–5 ms <c>linger.ms</c> would wait up to a whole tick; this timer runs on the
/// runtime's timer queue (about 1 ms resolution on Linux) through <see cref="TimeProvider"/>. Only the earliest
/// requested wake-up is kept: a later request while one is armed for sooner is ignored (the wake-up drains again
/// and asks for the next one). Thread-safe: <see cref="Schedule"/> runs on the actor, the callback on the timer queue.
/// </summary>
internal sealed class DrainTimer : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly Action _wakeUp;
    private readonly ITimer _timer;
    private DateTimeOffset? _armedFor;
    private bool _disposed;

    public DrainTimer(TimeProvider time, Action wakeUp)
    {
        _time = time;
        _wakeUp = wakeUp;
        _timer = time.CreateTimer(static state => ((DrainTimer)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Wakes the sender after <paramref name="delay"/>, unless a wake-up is already due sooner.</summary>
    public void Schedule(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero)
        {
            delay = TimeSpan.Zero;
        }

        var due = _time.GetUtcNow() + delay;
        lock (_lock)
        {
            if (_disposed || (_armedFor is { } armed && armed <= due))
            {
                return;
            }

            _armedFor = due;
            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _armedFor = null;
        }

        _wakeUp();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _timer.Dispose();
    }
}
