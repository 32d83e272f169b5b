using Akka.Actor;

namespace ActorStream.Kafka.Apis;

/// <summary>What the admin handlers share: how long they give the node's endpoint, and asking it.</summary>
internal static class KafkaAdminRequests
{
    /// <summary>
    /// The request's <c>timeout_ms</c> bounded by the node's request timeout; a timeout ≤ 0 (or absent) is the node's.
    /// </summary>
    public static TimeSpan Timeout(KafkaRequestContext context, int timeoutMs) =>
        timeoutMs > 0 && timeoutMs < context.Services.RequestTimeout.TotalMilliseconds
            ? TimeSpan.FromMilliseconds(timeoutMs)
            : context.Services.RequestTimeout;

    /// <summary>Asks the node's endpoint in process; null when it did not answer within <paramref name="timeout"/>.</summary>
    public static async Task<T?> AskAsync<T>(KafkaRequestContext context, object message, TimeSpan timeout, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await context.Services.BrokerEndpoint.Ask<T>(message, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>A native topic id (a UUID string) as Kafka's topic id; <see cref="Guid.Empty"/> when absent.</summary>
    public static Guid TopicId(string nativeTopicId) => Guid.TryParse(nativeTopicId, out var id) ? id : Guid.Empty;
}
