using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Akka.Event;
using ActorStream.Kafka.Apis;
using ActorStream.Kafka.Hosting;
using ActorStream.Kafka.Protocol;

namespace ActorStream.Kafka.Network;

/// <summary>
/// One client connection of a <see cref="KafkaListener"/>: reads Kafka's size-prefixed request frames from the socket
/// (System.IO.Pipelines), hands each to its API's handler and writes the response as one size-prefixed frame.
/// <para>
/// Requests are handled one at a time, in arrival order, and answered in that order, as Kafka does (it mutes a
/// connection while a request is in flight): a parked request (a long-poll Fetch) holds up only its own connection.
/// Anything Kafka would refuse closes the connection, as Kafka does: a negative size or one above the limit
/// (<c>socket.request.max.bytes</c>, or 512 KiB until one valid request header has arrived), an unknown API key, a
/// version the API does not serve, a malformed header or body, a handler's <see cref="KafkaCloseConnectionException"/>.
/// A handler's unexpected exception is logged at error and closes only this connection. A connection without a request
/// for <c>connections.max.idle.ms</c> is closed.
/// </para>
/// </summary>
internal sealed class KafkaConnection
{
    private const int SizePrefix = 4;

    private readonly Socket _socket;
    private readonly KafkaListenerInfo _listener;
    private readonly KafkaSettings _settings;
    private readonly KafkaGatewayServices _services;
    private readonly KafkaBufferPool _pool;
    private readonly Func<short, KafkaApi?> _findApi;
    private readonly ILoggingAdapter _log;
    private readonly EndPoint? _remote;
    private int _requestMaxBytes = KafkaSettings.InitialRequestMaxBytes;

    public KafkaConnection(
        Socket socket,
        KafkaListenerInfo listener,
        KafkaSettings settings,
        KafkaGatewayServices services,
        KafkaBufferPool pool,
        Func<short, KafkaApi?> findApi,
        ILoggingAdapter log)
    {
        _socket = socket;
        _listener = listener;
        _settings = settings;
        _services = services;
        _pool = pool;
        _findApi = findApi;
        _log = log;
        _remote = socket.RemoteEndPoint;
    }

    /// <summary>Serves the connection until the client closes it, a request closes it, it idles out, or the listener stops.</summary>
    public async Task RunAsync(CancellationToken shutdown)
    {
        var stream = new NetworkStream(_socket, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        try
        {
            while (true)
            {
                idle.CancelAfter(_settings.ConnectionsMaxIdle);
                var frame = await ReadFrameAsync(reader, idle.Token).ConfigureAwait(false);
                if (frame is not { } request)
                {
                    return;
                }

                // A request in flight is not idleness: the timer runs only while the connection waits for the next one.
                idle.CancelAfter(Timeout.InfiniteTimeSpan);
                bool keepOpen;
                try
                {
                    keepOpen = await HandleAsync(request.Buffer.AsMemory(0, request.Length), stream, shutdown).ConfigureAwait(false);
                }
                finally
                {
                    _pool.Return(request.Buffer);
                }

                if (!keepOpen)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            if (!shutdown.IsCancellationRequested)
            {
                _log.Debug("[Kafka {0}] Closing the idle connection from {1} (no request for {2}, connections.max.idle.ms)", _listener.Name, _remote, _settings.ConnectionsMaxIdle);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            _log.Debug("[Kafka {0}] Connection from {1} dropped: {2}", _listener.Name, _remote, e.Message);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes the socket, ending a read or write in progress (the listener stopping).</summary>
    public void Abort()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    /// <summary>
    /// The next frame's bytes (without the size prefix) in a buffer rented from the pool, which the caller returns;
    /// null when the connection is to close (the client closed it, mid-frame or not, or the size is refused).
    /// </summary>
    private async ValueTask<(byte[] Buffer, int Length)?> ReadFrameAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= SizePrefix)
            {
                var size = ReadSize(buffer);
                if (size < 0 || size > _requestMaxBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    _log.Debug(
                        "[Kafka {0}] Closing the connection from {1}: a request of {2} bytes (the limit is {3}{4})",
                        _listener.Name,
                        _remote,
                        size,
                        _requestMaxBytes,
                        _requestMaxBytes == KafkaSettings.InitialRequestMaxBytes ? " before a valid request header" : ", socket.request.max.bytes");
                    return null;
                }

                if (buffer.Length >= SizePrefix + (long)size)
                {
                    var rented = _pool.Rent(Math.Max(size, 1));
                    buffer.Slice(SizePrefix, size).CopyTo(rented);
                    reader.AdvanceTo(buffer.GetPosition(SizePrefix + size));
                    return (rented, size);
                }
            }

            if (result.IsCompleted)
            {
                if (buffer.Length > 0)
                {
                    _log.Debug("[Kafka {0}] Connection from {1} closed in the middle of a request ({2} bytes of it)", _listener.Name, _remote, buffer.Length);
                }

                reader.AdvanceTo(buffer.End);
                return null;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The API's name for logs: <c>Api18ApiVersions</c> is ApiVersions.</summary>
    private static string NameOf(KafkaApi api)
    {
        var name = api.GetType().Name;
        return name.Length > 5 && name.StartsWith("Api", StringComparison.Ordinal) && char.IsAsciiDigit(name[3]) && char.IsAsciiDigit(name[4]) ? name[5..] : name;
    }

    private static int ReadSize(ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[SizePrefix];
        buffer.Slice(0, SizePrefix).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32BigEndian(prefix);
    }

    /// <summary>Handles one request frame; false closes the connection.</summary>
    private async ValueTask<bool> HandleAsync(ReadOnlyMemory<byte> frame, NetworkStream stream, CancellationToken cancellationToken)
    {
        if (frame.Length < 4)
        {
            _log.Debug("[Kafka {0}] Closing the connection from {1}: a request of {2} bytes has no header", _listener.Name, _remote, frame.Length);
            return false;
        }

        var apiKey = BinaryPrimitives.ReadInt16BigEndian(frame.Span);
        var apiVersion = BinaryPrimitives.ReadInt16BigEndian(frame.Span[2..]);
        var api = _findApi(apiKey);
        if (api is null)
        {
            _log.Debug("[Kafka {0}] Closing the connection from {1}: unknown API key {2} (version {3})", _listener.Name, _remote, apiKey, apiVersion);
            return false;
        }

        if (!api.Accepts(apiVersion))
        {
            _log.Debug(
                "[Kafka {0}] Closing the connection from {1}: {2} version {3} is not served (versions {4}-{5})",
                _listener.Name,
                _remote,
                NameOf(api),
                apiVersion,
                api.MinVersion,
                api.MaxVersion);
            return false;
        }

        RequestHeader header;
        int bodyStart;
        try
        {
            var reader = new KafkaReader(frame);
            header = RequestHeader.Read(ref reader, api.RequestHeaderVersion(apiVersion));
            bodyStart = reader.Position;
        }
        catch (KafkaProtocolException e)
        {
            _log.Debug("[Kafka {0}] Closing the connection from {1}: a malformed {2} request header: {3}", _listener.Name, _remote, NameOf(api), e.Message);
            return false;
        }

        _requestMaxBytes = _settings.SocketRequestMaxBytes;
        var context = new KafkaRequestContext(header, _listener, _remote, _services);
        using var output = new PooledBufferWriter(_pool);
        output.GetSpan(SizePrefix);
        output.Advance(SizePrefix);
        bool respond;
        try
        {
            respond = await api.HandleAsync(context, frame[bodyStart..], output, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaProtocolException e)
        {
            _log.Debug("[Kafka {0}] Closing the connection from {1}: a malformed {2} v{3} request: {4}", _listener.Name, _remote, NameOf(api), apiVersion, e.Message);
            return false;
        }
        catch (KafkaCloseConnectionException e)
        {
            _log.Debug("[Kafka {0}] Closing the connection from {1} after {2} v{3}: {4}", _listener.Name, _remote, NameOf(api), apiVersion, e.Message);
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
#pragma warning disable CA1031 // One client's request that breaks a handler must not take the node down: log it, close only this connection.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _log.Error(
                e,
                "[Kafka {0}] {1} v{2} (correlation id {3}, client {4}) from {5} failed; closing that connection",
                _listener.Name,
                NameOf(api),
                apiVersion,
                header.CorrelationId,
                header.ClientId,
                _remote);
            return false;
        }

        if (!respond)
        {
            return true;
        }

        BinaryPrimitives.WriteInt32BigEndian(output.WrittenSpan, output.WrittenCount - SizePrefix);
        await stream.WriteAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
