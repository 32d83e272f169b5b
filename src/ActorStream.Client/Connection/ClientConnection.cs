using System.Collections.Concurrent;
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

    private static readonly AkkaConfig ClientDefaults =
        ConfigurationFactory.FromResource<ClientConnection>("ActorStream.Client.reference.conf");

    private readonly ClientConfig _config;
    private readonly ConcurrentDictionary<string, IActorRef> _endpoints = new(StringComparer.Ordinal);
    private readonly HashSet<string> _interestingTopics = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private ClusterMetadata _metadata = ClusterMetadata.Empty;
    private int _disposed;

    private ClientConnection(ActorSystem system, ClientConfig config)
    {
        System = system;
        _config = config;
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
            var path = $"akka.tcp://actorstream@{server.Host}:{server.Port}{EndpointPath}";
            try
            {
                var endpoint = await System.ActorSelection(path).ResolveOne(RequestTimeout, cancellationToken).ConfigureAwait(false);
                var response = await endpoint.Ask<MetadataResponse>(new MetadataRequest(), RequestTimeout, cancellationToken).ConfigureAwait(false);
                Update(m => m.Merge(response, allTopics: false, DateTimeOffset.UtcNow));
                return;
            }
            catch (Exception e) when (e is ActorNotFoundException or AskTimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                errors.Add($"{server}: {e.Message}");
            }
        }

        throw new ActorStreamException(
            ErrorCode.BrokerNotAvailable,
            $"No bootstrap server answered ({_config.BootstrapServers}): {string.Join("; ", errors)}");
    }

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

        var servers = _config.ParsedBootstrapServers;
        var server = servers[Random.Shared.Next(servers.Count)];
        return EndpointAt($"akka.tcp://actorstream@{server.Host}:{server.Port}");
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
            .Concat(_config.ParsedBootstrapServers.Select(s => $"akka.tcp://actorstream@{s.Host}:{s.Port}"))
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
