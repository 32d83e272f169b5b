namespace ActorStream.Client.Tests.Support;

/// <summary>A clock that moves only when told, whose timers fire only when the test fires them.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public List<ManualTimer> Timers { get; } = [];

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(callback, state) { DueTime = dueTime };
        Timers.Add(timer);
        return timer;
    }

    internal sealed class ManualTimer(TimerCallback callback, object? state) : ITimer
    {
        /// <summary>Every due time it was armed with (<see cref="Timeout.InfiniteTimeSpan"/>: disarmed).</summary>
        public List<TimeSpan> Changes { get; } = [];

        public TimeSpan DueTime { get; set; }

        public bool Disposed { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            DueTime = dueTime;
            Changes.Add(dueTime);
            return true;
        }

        public void Fire()
        {
            DueTime = Timeout.InfiniteTimeSpan;
            callback(state);
        }

        public void Dispose() => Disposed = true;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
