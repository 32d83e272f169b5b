using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using ActorStream.Client.Config;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.Protocol.Logging;
using AkkaConfig = Akka.Configuration.Config;
using ConfigurationFactory = Akka.Configuration.ConfigurationFactory;

namespace ActorStream.Client.Connection;

/// <summary>
/// A client's link to the cluster: its own Akka.Remote actor system ("actorstream-client", not a cluster member),
/// the broker endpoints (<c>{node address}/user/broker</c>) and the metadata cache. Thread-safe.
/// </summary>
internal sealed class ClientConnection : IAsyncDisposable
{
    public const string SystemName = "actorstream-client";
    public const string EndpointPath = "/user/broker";

    /// <summary>
    /// How long a bootstrap address whose association is up may stay silent before the next name is tried (a node
    /// answers an identify request in milliseconds once the handshake is done), and before it counts as a host name
    /// the node does not answer to.
    /// </summary>
    private static readonly TimeSpan SilentAssociationGrace = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan UnansweredAssociationGrace = TimeSpan.FromSeconds(3);

    private static readonly AkkaConfig ClientDefaults =
        ConfigurationFactory.FromResource<ClientConnection>("ActorStream.Client.reference.conf");

    private readonly ClientConfig _config;
    private readonly ConcurrentDictionary<string, IActorRef> _endpoints = new(StringComparer.Ordinal);
    private readonly HashSet<string> _interestingTopics = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private ClusterMetadata _metadata = ClusterMetadata.Empty;

    /// <summary>The bootstrap address that answered (the one later requests fall back on when metadata names no node).</summary>
    private IReadOnlyList<string> _bootstrapAddresses;
    private int _disposed;

    private ClientConnection(ActorSystem system, ClientConfig config)
    {
        System = system;
        _config = config;
        _bootstrapAddresses = config.ParsedBootstrapServers.Select(s => $"akka.tcp://actorstream@{s.Host}:{s.Port}").ToList();
        Links = new NodeLinks(TimeSpan.FromMilliseconds(config.ReconnectBackoffMs));
        NodeLinks.Listen(system, Links);
        Log = Logging.GetLogger(system, $"actorstream-client[{config.ClientId}]");
    }

    public ActorSystem System { get; }

    public ILoggingAdapter Log { get; }

    public ClusterMetadata Metadata => Volatile.Read(ref _metadata);

    /// <summary>Which nodes' connections just dropped (requests to them fail fast; see <see cref="NodeLinks"/>).</summary>
    public NodeLinks Links { get; }

    public TimeSpan RequestTimeout => TimeSpan.FromMilliseconds(_config.RequestTimeoutMs);

    /// <summary>Starts a client actor system and bootstraps (throws when no bootstrap server answers).</summary>
    public static async Task<ClientConnection> ConnectAsync(ClientConfig config, CancellationToken cancellationToken = default)
    {
        config.Validate();
        var system = ActorSystem.Create(SystemName, BuildConfig(config));
        var connection = new ClientConnection(system, config);
        try
        {
            await connection.BootstrapAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal static AkkaConfig BuildConfig(ClientConfig config) =>
        ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp.hostname = \"{config.ClientHostname}\"")
            .WithFallback(config.LogLevel is { } level ? ConfigurationFactory.ParseString($"akka.loglevel = {LogLevels.ToAkka(level)}") : AkkaConfig.Empty)
            .WithFallback(ClientDefaults)
            .WithFallback(Protocol.ProtocolConfig.Default);

    private async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        foreach (var server in _config.ParsedBootstrapServers)
        {
            var failure = await TryBootstrapAsync(server, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                return;
            }

            errors.Add(failure);
        }

        throw new ActorStreamException(ErrorCode.BrokerNotAvailable, $"No bootstrap server answered: {string.Join("; ", errors)}");
    }

    /// <summary>
    /// Tries the addresses one bootstrap server may go by, one after the other (see <see cref="BootstrapHosts"/>); on
    /// the first that answers, keeps that address for later requests. Returns null on success, else why it failed.
    /// </summary>
    private async Task<string?> TryBootstrapAsync(BootstrapServer server, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> hosts;
        try
        {
            hosts = await BootstrapHosts(server.Host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            return $"{server}: unknown host {server.Host} ({e.SocketErrorCode})";
        }

        // A silent address is not given up at once: it keeps its request running while the next one is tried, and
        // may still answer until the grace is over (a node slow to answer is not taken for one that never will).
        var silent = new List<(string Host, string Address, Task<IActorRef> Resolve, CancellationTokenSource Attempt)>();
        try
        {
            foreach (var host in hosts)
            {
                foreach (var late in silent.Where(s => s.Resolve.IsCompletedSuccessfully).ToList())
                {
                    if (await TryUseAsync(server, late.Host, late.Address, late.Resolve, cancellationToken).ConfigureAwait(false))
                    {
                        return null;
                    }
                }

                var address = $"akka.tcp://actorstream@{host}:{server.Port}";
                var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Links.LostToken(address));
                var resolve = System.ActorSelection(address + EndpointPath).ResolveOne(RequestTimeout, attempt.Token);
                var quiet = Links.WhenAssociated(address).ContinueWith(
                    _ => Task.Delay(SilentAssociationGrace, cancellationToken),
                    cancellationToken,
                    TaskContinuationOptions.None,
                    TaskScheduler.Default).Unwrap();
                if (await Task.WhenAny(resolve, quiet).ConfigureAwait(false) != resolve)
                {
                    // Connected, handshake done, yet no answer: the node may drop messages addressed to another name.
                    silent.Add((host, address, resolve, attempt));
                    continue;
                }

                attempt.Dispose();
                if (await TryUseAsync(server, host, address, resolve, cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }
            }

            var graceOver = Task.Delay(UnansweredAssociationGrace - SilentAssociationGrace, cancellationToken);
            var waiting = silent.Select(s => (Task)s.Resolve).Append(graceOver).ToList();
            while (waiting.Count > 1)
            {
                var done = await Task.WhenAny(waiting).ConfigureAwait(false);
                if (done == graceOver)
                {
                    break;
                }

                waiting.Remove(done);
                var (host, address, resolve, _) = silent.First(s => s.Resolve == done);
                if (await TryUseAsync(server, host, address, resolve, cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            foreach (var (_, _, _, attempt) in silent)
            {
                attempt.Cancel();
                attempt.Dispose();
            }
        }

        var tried = hosts.Count > 1 ? $" (tried {string.Join(", ", hosts)})" : "";
        return silent.Count > 0
            ? $"{server}: a node accepted the connection{tried} but ignores messages addressed to {string.Join(" or ", silent.Select(s => s.Host))}: a node answers only to the host it advertises (its --host, shown in its \"is up\" line); bootstrap with that host"
            : $"{server}: nothing answered there{tried}";
    }

    /// <summary>Asks the endpoint <paramref name="resolve"/> finds for metadata; true (and the address kept) if it answers.</summary>
    private async Task<bool> TryUseAsync(BootstrapServer server, string host, string address, Task<IActorRef> resolve, CancellationToken cancellationToken)
    {
        try
        {
            var endpoint = await resolve.ConfigureAwait(false);
            var response = await endpoint.Ask<MetadataResponse>(new MetadataRequest(), RequestTimeout, cancellationToken).ConfigureAwait(false);
            Update(m => m.Merge(response, allTopics: false, DateTimeOffset.UtcNow));
            _bootstrapAddresses = [address];
            if (!string.Equals(host, server.Host, StringComparison.OrdinalIgnoreCase))
            {
                Log.Info("Bootstrap server {0} answers as {1}", server, address);
            }

            return true;
        }
        catch (Exception e) when (e is ActorNotFoundException or AskTimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// The host names one bootstrap server may be reached by, the most likely first. A node answers only to the exact
    /// host it advertises (Akka.Remote drops messages addressed to any other name), while Kafka users type
    /// <c>localhost</c> for a node that calls itself <c>127.0.0.1</c> (the default) and the other way round: a name
    /// that resolves to loopback is tried as its IPv4 addresses first, then as typed; a loopback IP also as
    /// <c>localhost</c>; any other name as typed, then as its addresses. Throws <see cref="SocketException"/> for an
    /// unknown host name.
    /// </summary>
    internal static async Task<IReadOnlyList<string>> BootstrapHosts(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return IPAddress.IsLoopback(literal) && !host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                ? [AkkaHost(literal), "localhost"]
                : [AkkaHost(literal)];
        }

        var resolved = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var addresses = resolved
            .Where(a => !a.IsIPv6LinkLocal) // needs a scope id, which an Akka address cannot carry
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)
            .Select(AkkaHost)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var loopback = resolved.Length > 0 && resolved.All(IPAddress.IsLoopback);
        return loopback
            ? [.. addresses.Where(a => a != host), host]
            : [host, .. addresses.Where(a => a != host)];
    }

    /// <summary>An IP address as Akka writes it in an actor path (IPv6 in brackets).</summary>
    private static string AkkaHost(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    /// <summary>The endpoint of a node, or null when the node is not in the metadata.</summary>
    public IActorRef? Endpoint(int nodeId) =>
        Metadata.Nodes.TryGetValue(nodeId, out var node) ? EndpointAt(node.Address) : null;

    /// <summary>Cancelled when the connection to node <paramref name="nodeId"/> drops (never, for a node not in the metadata).</summary>
    public CancellationToken LostToken(int nodeId) =>
        Metadata.Nodes.TryGetValue(nodeId, out var node) ? Links.LostToken(node.Address) : CancellationToken.None;

    /// <summary>Whether node <paramref name="nodeId"/>'s connection dropped less than <c>reconnect.backoff.ms</c> ago.</summary>
    public bool IsBackingOff(int nodeId, out TimeSpan retryIn)
    {
        retryIn = TimeSpan.Zero;
        return Metadata.Nodes.TryGetValue(nodeId, out var node) && Links.IsBackingOff(node.Address, out retryIn);
    }

    /// <summary>Any known node's endpoint (the least recently failed would be better; any will do for now).</summary>
    public IActorRef AnyEndpoint()
    {
        var nodes = Metadata.Nodes.Values.ToList();
        if (nodes.Count > 0)
        {
            return EndpointAt(nodes[Random.Shared.Next(nodes.Count)].Address);
        }

        var bootstrap = _bootstrapAddresses;
        return EndpointAt(bootstrap[Random.Shared.Next(bootstrap.Count)]);
    }

    private IActorRef EndpointAt(string address) =>
        _endpoints.GetOrAdd(address, a => ((ExtendedActorSystem)System).Provider.ResolveActorRef(a + EndpointPath));

    /// <summary>Adds topics that periodic and error-driven refreshes must cover.</summary>
    public void AddTopics(IEnumerable<string> topics)
    {
        lock (_interestingTopics)
        {
            _interestingTopics.UnionWith(topics);
        }
    }

    /// <summary>Fetches metadata for <paramref name="topics"/> (plus every topic of interest) and merges it.</summary>
    public async Task<ClusterMetadata> RefreshAsync(IEnumerable<string>? topics = null, bool allowAutoTopicCreation = false, CancellationToken cancellationToken = default)
    {
        var request = new MetadataRequest { AllowAutoTopicCreation = allowAutoTopicCreation };
        lock (_interestingTopics)
        {
            if (topics is not null)
            {
                _interestingTopics.UnionWith(topics);
            }

            request.Topics.AddRange(_interestingTopics);
        }

        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await AskAnyAsync<MetadataResponse>(request, cancellationToken).ConfigureAwait(false);
            return Update(m => m.Merge(response, allTopics: false, DateTimeOffset.UtcNow));
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>Asks any node, trying the others (and the bootstrap list) when one does not answer.</summary>
    public async Task<T> AskAnyAsync<T>(object request, CancellationToken cancellationToken = default)
    {
        var candidates = Metadata.Nodes.Values.Select(n => n.Address)
            .Concat(_bootstrapAddresses)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(a => Links.IsBackingOff(a, out _))
            .ThenBy(_ => Random.Shared.Next())
            .ToList();
        Exception? last = null;
        foreach (var address in candidates)
        {
            using var lostOrCancelled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Links.LostToken(address));
            try
            {
                return await EndpointAt(address).Ask<T>(request, RequestTimeout, lostOrCancelled.Token).ConfigureAwait(false);
            }
            catch (AskTimeoutException e)
            {
                last = e;
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                last = e; // the connection to that node dropped: try the next one
            }
        }

        throw new ActorStreamException(ErrorCode.RequestTimedOut, $"No broker answered a {request.GetType().Name} within {_config.RequestTimeoutMs} ms", last);
    }

    public static async Task<T> AskAsync<T>(IActorRef endpoint, object request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            return await endpoint.Ask<T>(request, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new ActorStreamException(ErrorCode.RequestTimedOut, $"{endpoint.Path} did not answer a {request.GetType().Name} within {timeout.TotalMilliseconds} ms", e);
        }
    }

    private ClusterMetadata Update(Func<ClusterMetadata, ClusterMetadata> change)
    {
        while (true)
        {
            var current = Metadata;
            var updated = change(current);
            if (ReferenceEquals(Interlocked.CompareExchange(ref _metadata, updated, current), current))
            {
                return updated;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Closing the client's connections makes DotNetty warn about channels it could not unregister: noise
        // for a client that is going away on purpose.
        System.EventStream.SetLogLevel(LogLevel.ErrorLevel);
        await System.Terminate().ConfigureAwait(false);
        _refreshLock.Dispose();
    }
}
