using ActorStream.Client.Consumer;

namespace ActorStream.Client.Streams;

/// <summary>
/// The committable source's consumer, used by the source's polls and by commits from downstream stages. The consumer is not
/// thread-safe, so every call joins one queue: each starts when the previous one finished, in the order they were asked.
/// </summary>
internal sealed class ConsumerSession<TKey, TValue> : ICommitter
{
    private readonly IConsumer<TKey, TValue> _consumer;
    private readonly Lock _lock = new();
    private Task _tail = Task.CompletedTask;
    private bool _closed;

    public ConsumerSession(IConsumer<TKey, TValue> consumer) => _consumer = consumer;

    public Task<IReadOnlyList<ConsumeResult<TKey, TValue>>> PollAsync(TimeSpan timeout) =>
        Enqueue(() => _consumer.PollAsync(timeout));

    public Task CommitAsync(IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken cancellationToken) =>
        Enqueue(async () =>
        {
            await _consumer.CommitAsync(offsets, cancellationToken).ConfigureAwait(false);
            return true;
        });

    /// <summary>Closes the consumer (leaving the group) after the calls queued before; later calls fail.</summary>
    public Task CloseAsync() =>
        Enqueue(async () =>
        {
            await _consumer.DisposeAsync().ConfigureAwait(false);
            _closed = true;
            return true;
        });

    private Task<T> Enqueue<T>(Func<Task<T>> call)
    {
        lock (_lock)
        {
            var result = _tail.ContinueWith(
                _ => _closed
                    ? throw new InvalidOperationException("The committable source's consumer is closed: commit before shutting it down (or raise its stop timeout)")
                    : call(),
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default).Unwrap();
            _tail = result.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return result;
        }
    }
}
