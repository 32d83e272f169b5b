namespace ActorStream.Client.Streams;

/// <summary>
/// Materialized by a committable source: stops it and closes its consumer. After the source stops (completed, cancelled
/// downstream, or <see cref="Stop"/>) its consumer stays open for commits of what was already emitted, until
/// <see cref="Shutdown"/> or the source's stop timeout; a failed source closes it at once.
/// </summary>
public interface IConsumerControl
{
    /// <summary>Completes the source (no more polls) but keeps the consumer open for commits; completes when the source has stopped.</summary>
    Task Stop();

    /// <summary>Stops the source and closes the consumer, leaving the group; completes when it is closed.</summary>
    Task Shutdown();

    /// <summary>Completes when the consumer is closed.</summary>
    Task IsShutdown { get; }

    /// <summary>
    /// Stops the source, waits for the rest of the stream (e.g. the committer sink's task, so the last commits get through),
    /// then shuts the consumer down; returns the stream's result or rethrows its failure.
    /// </summary>
    Task<T> DrainAndShutdown<T>(Task<T> streamCompletion);
}
