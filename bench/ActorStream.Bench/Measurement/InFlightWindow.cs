namespace ActorStream.Bench.Measurement;

/// <summary>
/// Bounds the sends a workload has in flight (at most <c>max</c> unacknowledged) and keeps the first failure. A full
/// sender waits until a quarter of the room is free, so it wakes once per many acknowledgements rather than once per
/// record; every system's run uses the same window, so the bound is the same for all.
/// </summary>
internal sealed class InFlightWindow(int max)
{
    private readonly Lock _lock = new();
    private int _outstanding;
    private TaskCompletionSource? _roomFreed;
    private TaskCompletionSource? _drained;
    private Exception? _error;

    public Exception? Error => Volatile.Read(ref _error);

    public ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_error is not null)
            {
                throw new InvalidOperationException("a send failed", _error);
            }

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

    /// <summary>One send was acknowledged (<paramref name="error"/> null) or failed.</summary>
    public void Release(Exception? error = null)
    {
        TaskCompletionSource? wake = null;
        TaskCompletionSource? drained = null;
        lock (_lock)
        {
            _outstanding--;
            if (error is not null)
            {
                _error ??= error;
            }

            if (_roomFreed is not null && (_outstanding <= max - Math.Max(1, max / 4) || _error is not null))
            {
                wake = _roomFreed;
                _roomFreed = null;
            }

            if (_outstanding == 0 && _drained is not null)
            {
                drained = _drained;
                _drained = null;
            }
        }

        wake?.TrySetResult();
        drained?.TrySetResult();
    }

    /// <summary>Releases the slot when <paramref name="send"/> completes.</summary>
    public void Track(Task send)
    {
        if (send.IsCompleted)
        {
            Release(send.Exception?.GetBaseException());
            return;
        }

        send.ContinueWith(
            static (t, state) => ((InFlightWindow)state!).Release(t.IsCompletedSuccessfully ? null : t.Exception?.GetBaseException() ?? new TaskCanceledException()),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Completes once every send is answered; throws the first failure.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        Task wait;
        lock (_lock)
        {
            if (_outstanding == 0)
            {
                wait = Task.CompletedTask;
            }
            else
            {
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _drained.Task;
            }
        }

        await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Error is { } error)
        {
            throw new InvalidOperationException("a send failed", error);
        }
    }
}
