using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Event;
using ActorStream.Broker.Hosting;
using ActorStream.Kafka.Apis;
using ActorStream.Kafka.Hosting;

namespace ActorStream.Kafka.Network;

/// <summary>
/// One named Kafka listener of a node (an entry of Kafka's <c>listeners</c>): binds its socket (<see cref="Bind"/>,
/// before the node joins the cluster, so a taken port fails the start and port 0 becomes the bound port), accepts
/// connections once started, and on dispose stops accepting and closes every connection it accepted.
/// </summary>
internal sealed class KafkaListener : IAsyncDisposable
{
    private const int Backlog = 512;

    private readonly KafkaListenerSettings _listener;
    private readonly KafkaSettings _settings;
    private readonly KafkaBufferPool _pool;
    private readonly Func<short, KafkaApi?> _findApi;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<KafkaConnection, Task> _connections = new();
    private Socket? _socket;
    private Task _acceptLoop = Task.CompletedTask;
    private int _disposed;

    public KafkaListener(KafkaListenerSettings listener, KafkaSettings settings, KafkaBufferPool pool, Func<short, KafkaApi?>? findApi = null)
    {
        _listener = listener;
        _settings = settings;
        _pool = pool;
        _findApi = findApi ?? KafkaApis.Find;
    }

    /// <summary>The name, advertised host and port (the bound port where the listener advertises port 0); set by <see cref="Bind"/>.</summary>
    public KafkaListenerInfo? Info { get; private set; }

    /// <summary>The port bound (the configured one, or the one chosen for port 0).</summary>
    public int BoundPort { get; private set; }

    /// <summary>Connections open now.</summary>
    public int ConnectionCount => _connections.Count;

    /// <exception cref="PortInUseException">The port is taken (one line naming the listener and the port).</exception>
    public KafkaListenerInfo Bind()
    {
        var address = Resolve(_listener.BindHost);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(new IPEndPoint(address, _listener.Port));
            socket.Listen(Backlog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw PortCheck.InUse(_listener.BindHost, _listener.Port, $"Kafka listener {_listener.Name}, {_listener.Setting}", e);
        }

        _socket = socket;
        BoundPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
        Info = new KafkaListenerInfo(_listener.Name, _listener.AdvertisedHost, _listener.AdvertisedPort == 0 ? BoundPort : _listener.AdvertisedPort);
        return Info;
    }

    /// <summary>Begins accepting connections (after <see cref="Bind"/>), served with <paramref name="services"/>.</summary>
    public void Start(KafkaGatewayServices services, ILoggingAdapter log)
    {
        var socket = _socket ?? throw new InvalidOperationException($"Kafka listener {_listener.Name} is not bound");
        _acceptLoop = Task.Run(() => AcceptLoopAsync(socket, Info!, services, log));
    }

    private async Task AcceptLoopAsync(Socket socket, KafkaListenerInfo info, KafkaGatewayServices services, ILoggingAdapter log)
    {
        var token = _shutdown.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await socket.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (token.IsCancellationRequested && e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of file descriptors, a connection reset before it was accepted: the listener goes on.
                log.Warning("[Kafka {0}] Accepting a connection failed: {1}", info.Name, e.Message);
                continue;
            }

            client.NoDelay = true;
            var connection = new KafkaConnection(client, info, _settings, services, _pool, _findApi, log);
            var run = Task.Run(() => connection.RunAsync(token), CancellationToken.None);
            _connections[connection] = run;
            _ = run.ContinueWith(_ => _connections.TryRemove(connection, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            if (token.IsCancellationRequested)
            {
                connection.Abort();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        foreach (var connection in _connections.Keys)
        {
            connection.Abort();
        }

        // Each connection returns what it rented on its way out; a handler that ignores cancellation is not waited for long.
        await Task.WhenAll(_connections.Values).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _shutdown.Dispose();
    }

    private static IPAddress Resolve(string host)
    {
        if (host.Length == 0)
        {
            return IPAddress.Any;
        }

        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
    }
}
