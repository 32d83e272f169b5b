using Akka.Actor;
using ActorStream.Protocol;
using ActorStream.Protocol.Group;

namespace ActorStream.Client.Connection;

/// <summary>
/// Where the group coordinator runs (Kafka's FindCoordinator and the consumer's "coordinator unknown" state). Every known
/// node is asked and answers for itself only (see <c>BrokerEndpoint.Groups.cs</c>); the first node that says the
/// coordinator runs there is remembered until <see cref="Invalidate"/>. Group requests then go to that node, and the
/// client's connection to it tells at once when it dies (<see cref="NodeLinks"/>): a request in flight fails straight
/// away and the coordinator is looked up again, instead of waiting out <c>request.timeout.ms</c>. While the coordinator
/// moves (no node claims it), the lookup retries every <c>retry.backoff.ms</c>. Thread-safe.
/// </summary>
internal sealed class GroupCoordinatorLookup
{
    private readonly ClientConnection _connection;
    private readonly TimeSpan _retryBackoff;
    private int _nodeId = -1;

    public GroupCoordinatorLookup(ClientConnection connection, TimeSpan retryBackoff)
    {
        _connection = connection;
        _retryBackoff = retryBackoff > TimeSpan.Zero ? retryBackoff : TimeSpan.FromMilliseconds(100);
    }

    /// <summary>The coordinator's node id, or -1 while unknown.</summary>
    public int Current => Volatile.Read(ref _nodeId);

    /// <summary>Forgets the coordinator if it is still <paramref name="nodeId"/> (its connection dropped, or it said NOT_COORDINATOR).</summary>
    public void Invalidate(int nodeId) => Interlocked.CompareExchange(ref _nodeId, -1, nodeId);

    /// <summary>The coordinator's node, looked up (and retried while it moves) when unknown; until <paramref name="cancellationToken"/>.</summary>
    public async Task<int> FindAsync(CancellationToken cancellationToken)
    {
        for (var round = 0; ; round++)
        {
            if (Current is var known and >= 0)
            {
                return known;
            }

            if (round > 0 && round % 10 == 0)
            {
                // A node that joined after our last metadata refresh may be the one hosting it now.
                try
                {
                    await _connection.RefreshAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (ActorStreamException)
                {
                }
            }

            var found = await AskEveryNodeAsync(cancellationToken).ConfigureAwait(false);
            if (found >= 0)
            {
                Interlocked.CompareExchange(ref _nodeId, found, -1);
                continue;
            }

            await Task.Delay(_retryBackoff, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> AskEveryNodeAsync(CancellationToken cancellationToken)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var asks = _connection.Metadata.Nodes.Keys
            .Where(id => !_connection.IsBackingOff(id, out _))
            .Select(id => AskNodeAsync(id, done.Token))
            .ToList();
        try
        {
            while (asks.Count > 0)
            {
                var answered = await Task.WhenAny(asks).ConfigureAwait(false);
                asks.Remove(answered);
                if (answered.Result >= 0)
                {
                    return answered.Result;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            return -1;
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The node's id if it says the coordinator runs there; -1 if it says not, does not answer, or its connection drops.</summary>
    private async Task<int> AskNodeAsync(int nodeId, CancellationToken cancellationToken)
    {
        if (_connection.Endpoint(nodeId) is not { } endpoint)
        {
            return -1;
        }

        using var lostOrCancelled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _connection.LostToken(nodeId));
        try
        {
            var response = await endpoint.Ask<FindCoordinatorResponse>(new FindCoordinatorRequest(), _connection.RequestTimeout, lostOrCancelled.Token).ConfigureAwait(false);
            return response.ErrorCode == (int)ErrorCode.None && response.NodeId == nodeId ? nodeId : -1;
        }
        catch (Exception e) when (e is OperationCanceledException or AskTimeoutException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Sends a group request to the coordinator and returns its reply. When the coordinator's connection drops or it answers
    /// COORDINATOR_NOT_AVAILABLE / NOT_COORDINATOR, the coordinator is looked up again and the request resent (group
    /// requests sent this way are idempotent: commits, offset fetches, describes), within <paramref name="timeout"/>.
    /// </summary>
    public async Task<T> AskAsync<T>(object request, Func<T, int> errorCode, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var nodeId = await FindAsync(deadline.Token).ConfigureAwait(false);
                if (_connection.Endpoint(nodeId) is not { } endpoint)
                {
                    Invalidate(nodeId);
                    continue;
                }

                using var lost = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _connection.LostToken(nodeId));
                try
                {
                    var response = await endpoint.Ask<T>(request, Timeout.InfiniteTimeSpan, lost.Token).ConfigureAwait(false);
                    if ((ErrorCode)errorCode(response) is not (ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator))
                    {
                        return response;
                    }
                }
                catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
                {
                    // The coordinator's node is gone: look again.
                }

                Invalidate(nodeId);
                await Task.Delay(_retryBackoff, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ActorStreamException(ErrorCode.RequestTimedOut, $"The group coordinator did not answer a {request.GetType().Name} within {timeout.TotalMilliseconds} ms");
        }
    }
}
