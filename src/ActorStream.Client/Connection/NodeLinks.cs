using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Remote;

namespace ActorStream.Client.Connection;

/// <summary>
/// The client's view of its Akka.Remote association with each broker address (Kafka's NetworkClient connection
/// states). A dropped or refused association, which is what a killed node's peers see at once, cancels that address's
/// <see cref="LostToken"/>: requests waiting on the node then fail straight away instead of waiting out
/// <c>request.timeout.ms</c> (30 s by default), and senders leave the node alone for <c>reconnect.backoff.ms</c> while
/// metadata catches up with the failover. After the backoff the next request tries the node again; a new association
/// with it clears the mark. Thread-safe.
/// </summary>
internal sealed class NodeLinks
{
    private readonly ConcurrentDictionary<string, Link> _links = new(StringComparer.Ordinal);
    private readonly TimeSpan _reconnectBackoff;
    private readonly TimeProvider _time;

    public NodeLinks(TimeSpan reconnectBackoff, TimeProvider? time = null)
    {
        _reconnectBackoff = reconnectBackoff;
        _time = time ?? TimeProvider.System;
    }

    private sealed class Link
    {
        public CancellationTokenSource Lost { get; } = new();

        public long LostAt { get; set; } = -1;
    }

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _associated = new(StringComparer.Ordinal);

    /// <summary>Starts the actor that feeds remoting lifecycle events of <paramref name="system"/> into <paramref name="links"/>.</summary>
    public static void Listen(ActorSystem system, NodeLinks links) =>
        system.ActorOf(Props.Create(() => new RemotingListener(links)), "node-links");

    /// <summary>
    /// A token cancelled when the association with <paramref name="address"/> drops. A link lost longer than the
    /// reconnect backoff ago is given a fresh token: the caller is about to try the node again.
    /// </summary>
    public CancellationToken LostToken(string address)
    {
        while (true)
        {
            var link = _links.GetOrAdd(address, _ => new Link());
            if (link.LostAt < 0 || _time.GetElapsedTime(link.LostAt) < _reconnectBackoff)
            {
                return link.Lost.Token;
            }

            // The old source is not disposed: another thread may still be registering on its (cancelled) token.
            _links.TryUpdate(address, new Link(), link);
        }
    }

    /// <summary>Whether the node at <paramref name="address"/> was lost less than the reconnect backoff ago (then: how long to wait).</summary>
    public bool IsBackingOff(string address, out TimeSpan retryIn)
    {
        retryIn = TimeSpan.Zero;
        if (!_links.TryGetValue(address, out var link) || link.LostAt < 0)
        {
            return false;
        }

        retryIn = _reconnectBackoff - _time.GetElapsedTime(link.LostAt);
        return retryIn > TimeSpan.Zero;
    }

    public void OnLost(string address)
    {
        var link = _links.GetOrAdd(address, _ => new Link());
        link.LostAt = _time.GetTimestamp();
        link.Lost.Cancel();
    }

    /// <summary>Completes once an association with <paramref name="address"/> is up (the node there accepted the handshake).</summary>
    public Task WhenAssociated(string address) =>
        _associated.GetOrAdd(address, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void OnAssociated(string address)
    {
        _associated.GetOrAdd(address, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (_links.TryGetValue(address, out var link) && link.LostAt >= 0)
        {
            _links.TryUpdate(address, new Link(), link);
        }
    }

    private sealed class RemotingListener : ReceiveActor
    {
        public RemotingListener(NodeLinks links)
        {
            Receive<DisassociatedEvent>(e => links.OnLost(e.RemoteAddress.ToString()));
            Receive<AssociationErrorEvent>(e => links.OnLost(e.RemoteAddress.ToString()));
            Receive<AssociatedEvent>(e => links.OnAssociated(e.RemoteAddress.ToString()));
        }

        protected override void PreStart()
        {
            Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
            Context.System.EventStream.Subscribe(Self, typeof(AssociationErrorEvent));
            Context.System.EventStream.Subscribe(Self, typeof(AssociatedEvent));
        }
    }
}
