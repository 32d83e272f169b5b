namespace ActorStream.Client.Streams;

/// <summary>The committable source's <see cref="IConsumerControl"/>: requests to the stage, and the consumer's closing.</summary>
internal sealed class ConsumerControl : IConsumerControl
{
    private readonly TimeSpan _stopTimeout;
    private readonly TaskCompletionSource _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _shutdownRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _sourceStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _isShutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConsumerControl(TimeSpan stopTimeout) => _stopTimeout = stopTimeout;

    /// <summary>Completes when <see cref="Stop"/> or <see cref="Shutdown"/> was called (the stage completes itself then).</summary>
    public Task StopRequested => _stopRequested.Task;

    /// <summary>Completes when the stage has stopped.</summary>
    public Task SourceStopped => _sourceStopped.Task;

    public Task IsShutdown => _isShutdown.Task;

    public Task Stop()
    {
        _stopRequested.TrySetResult();
        return _sourceStopped.Task;
    }

    public Task Shutdown()
    {
        _shutdownRequested.TrySetResult();
        _stopRequested.TrySetResult();
        return _isShutdown.Task;
    }

    public async Task<T> DrainAndShutdown<T>(Task<T> streamCompletion)
    {
        ArgumentNullException.ThrowIfNull(streamCompletion);
        await Stop().ConfigureAwait(false);
        try
        {
            return await streamCompletion.ConfigureAwait(false);
        }
        finally
        {
            await Shutdown().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Called by the stage when it stops: closes the consumer (<paramref name="close"/>) at once when the stage failed,
    /// else on <see cref="Shutdown"/> or after the stop timeout, whichever comes first.
    /// </summary>
    public void OnSourceStopped(Func<Task> close, bool closeNow)
    {
        _sourceStopped.TrySetResult();
        _ = CloseAsync(close, closeNow);
    }

    private async Task CloseAsync(Func<Task> close, bool closeNow)
    {
        if (!closeNow)
        {
            try
            {
                await _shutdownRequested.Task.WaitAsync(_stopTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Nobody called Shutdown: close anyway so the consumer does not stay in the group forever.
            }
        }

        try
        {
            await close().ConfigureAwait(false);
            _isShutdown.TrySetResult();
        }
        catch (Exception e)
        {
            _isShutdown.TrySetException(e);
        }
    }
}
