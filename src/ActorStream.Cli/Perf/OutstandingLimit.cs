namespace ActorStream.Cli.Perf;

/// <summary>
/// Bounds the records a perf run has in flight, like Kafka's blocking <c>send()</c> when <c>buffer.memory</c> is full,
/// with hysteresis: a full sender waits until half the room is free, so it wakes once per many completions instead
/// of once per record (a per-record thread hand-off would cost more than producing the record).
/// </summary>
internal sealed class OutstandingLimit(long max)
{
    private readonly Lock _lock = new();
    private long _outstanding;
    private TaskCompletionSource? _roomFreed;

    public ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_outstanding < max)
            {
                _outstanding++;
                return ValueTask.CompletedTask;
            }

            _roomFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return WaitAsync(_roomFreed.Task, cancellationToken);
        }
    }

    private async ValueTask WaitAsync(Task roomFreed, CancellationToken cancellationToken)
    {
        await roomFreed.WaitAsync(cancellationToken).ConfigureAwait(false);
        await AcquireAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Release()
    {
        TaskCompletionSource? wake = null;
        lock (_lock)
        {
            _outstanding--;
            if (_roomFreed is not null && _outstanding <= max / 2)
            {
                wake = _roomFreed;
                _roomFreed = null;
            }
        }

        wake?.TrySetResult();
    }
}
