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
/// Requests are answered in arrival order, as Kafka does. Kafka mutes a connection while a request is in flight; here
/// requests of a pipelined API (Produce) overlap: each is handed to its handler as it arrives (up to
/// <see cref="MaxRequestsInFlight"/>), so one partition's append or replication wait does not hold up the next
/// batch, and the answers are written in order. Any other request waits until every earlier one is answered and
/// holds up the requests after it: a parked request (a long-poll Fetch) holds up only its own connection.
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
    /// <summary>
    /// Requests of a pipelined API (<see cref="KafkaApi.Pipelined"/>) handled at once on one connection; librdkafka
    /// keeps up to 5 in flight for an idempotent producer. The reader stops reading while this many are unanswered.
    /// </summary>
    private const int MaxRequestsInFlight = 8;

    private readonly Lock _idleLock = new();
    private int _requestMaxBytes = KafkaSettings.InitialRequestMaxBytes;
    private int _inFlight;

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
        using var slots = new SemaphoreSlim(MaxRequestsInFlight, MaxRequestsInFlight);
        // The responses so far, chained in arrival order: true while the connection stays open.
        var responses = Task.FromResult(true);
        try
        {
            while (true)
            {
                StartIdleTimer(idle);
                var frame = await ReadFrameAsync(reader, idle.Token).ConfigureAwait(false);
                if (frame is not { } request)
                {
                    return;
                }

                if (Prepare(request.Buffer.AsMemory(0, request.Length)) is not { } prepared)
                {
                    _pool.Return(request.Buffer);
                    return;
                }

                // Only an API that allows it overlaps earlier requests; any other waits until every earlier one is answered.
                if (!prepared.Api.Pipelined && !await responses.ConfigureAwait(false))
                {
                    _pool.Return(request.Buffer);
                    return;
                }

                await slots.WaitAsync(shutdown).ConfigureAwait(false);
                BeginRequest(idle);
                // The handler runs up to its first await here, in arrival order: Produce sends its batches to the
                // broker before the next request is read, so pipelined batches reach each partition in order.
                var handling = ExecuteAsync(prepared, request.Buffer, request.Length, shutdown);
                responses = RespondInOrderAsync(responses, handling, stream, reader, slots, idle, shutdown);
                if (!prepared.Api.Pipelined || handling is { IsCompletedSuccessfully: true, Result.Close: true })
                {
                    if (!await responses.ConfigureAwait(false))
                    {
                        return;
                    }
                }
                else if (responses is { IsCompleted: true, Result: false })
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
            // Requests still in flight return their buffers on the way; their responses are no longer written.
            await ((Task)responses).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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
            if (result.IsCanceled)
            {
                return null; // a response decided to close the connection
            }

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

    /// <summary>The request's API and header, or null when the connection is to close (logged).</summary>
    private PreparedRequest? Prepare(ReadOnlyMemory<byte> frame)
    {
        if (frame.Length < 4)
        {
            _log.Debug("[Kafka {0}] Closing the connection from {1}: a request of {2} bytes has no header", _listener.Name, _remote, frame.Length);
            return null;
        }

        var apiKey = BinaryPrimitives.ReadInt16BigEndian(frame.Span);
        var apiVersion = BinaryPrimitives.ReadInt16BigEndian(frame.Span[2..]);
        var api = _findApi(apiKey);
        if (api is null)
        {
            _log.Debug("[Kafka {0}] Closing the connection from {1}: unknown API key {2} (version {3})", _listener.Name, _remote, apiKey, apiVersion);
            return null;
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
            return null;
        }

        try
        {
            var reader = new KafkaReader(frame);
            var header = RequestHeader.Read(ref reader, api.RequestHeaderVersion(apiVersion));
            _requestMaxBytes = _settings.SocketRequestMaxBytes;
            return new PreparedRequest(api, header, reader.Position);
        }
        catch (KafkaProtocolException e)
        {
            _log.Debug("[Kafka {0}] Closing the connection from {1}: a malformed {2} request header: {3}", _listener.Name, _remote, NameOf(api), e.Message);
            return null;
        }
    }

    /// <summary>
    /// Runs the request's handler; the response frame (size prefix included) when there is one to send. Returns the
    /// request's frame buffer to the pool when done.
    /// </summary>
    private async Task<Outcome> ExecuteAsync(PreparedRequest request, byte[] frameBuffer, int frameLength, CancellationToken cancellationToken)
    {
        var (api, header, bodyStart) = request;
        var apiVersion = header.ApiVersion;
        var context = new KafkaRequestContext(header, _listener, _remote, _services);
        var output = new PooledBufferWriter(_pool);
        try
        {
            output.GetSpan(SizePrefix);
            output.Advance(SizePrefix);
            if (!await api.HandleAsync(context, frameBuffer.AsMemory(bodyStart, frameLength - bodyStart), output, cancellationToken).ConfigureAwait(false))
            {
                output.Dispose();
                return Outcome.NoResponse;
            }

            BinaryPrimitives.WriteInt32BigEndian(output.WrittenSpan, output.WrittenCount - SizePrefix);
            return new Outcome(output, Close: false);
        }
        catch (KafkaProtocolException e)
        {
            _log.Debug("[Kafka {0}] Closing the connection from {1}: a malformed {2} v{3} request: {4}", _listener.Name, _remote, NameOf(api), apiVersion, e.Message);
        }
        catch (KafkaCloseConnectionException e)
        {
            _log.Debug("[Kafka {0}] Closing the connection from {1} after {2} v{3}: {4}", _listener.Name, _remote, NameOf(api), apiVersion, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
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
        }
        finally
        {
            _pool.Return(frameBuffer);
        }

        output.Dispose();
        return Outcome.CloseConnection;
    }

    /// <summary>
    /// Writes one request's response once every earlier one is written (Kafka answers a connection's requests in
    /// order); false once the connection is to close, which stops the reader.
    /// </summary>
    private async Task<bool> RespondInOrderAsync(Task<bool> earlier, Task<Outcome> handling, NetworkStream stream, PipeReader reader, SemaphoreSlim slots, CancellationTokenSource idle, CancellationToken cancellationToken)
    {
        var outcome = await handling.ConfigureAwait(false);
        try
        {
            if (!await earlier.ConfigureAwait(false))
            {
                return false;
            }

            if (outcome.Close)
            {
                reader.CancelPendingRead();
                return false;
            }

            if (outcome.Response is { } response)
            {
                await stream.WriteAsync(response.WrittenMemory, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            _log.Debug("[Kafka {0}] Connection from {1} dropped while answering: {2}", _listener.Name, _remote, e.Message);
            reader.CancelPendingRead();
            return false;
        }
        finally
        {
            outcome.Response?.Dispose();
            EndRequest(idle);
            slots.Release();
        }
    }

    /// <summary>The idle timer runs only while no request is in flight (a parked request is not idleness).</summary>
    private void StartIdleTimer(CancellationTokenSource idle)
    {
        lock (_idleLock)
        {
            if (_inFlight == 0)
            {
                idle.CancelAfter(_settings.ConnectionsMaxIdle);
            }
        }
    }

    private void BeginRequest(CancellationTokenSource idle)
    {
        lock (_idleLock)
        {
            _inFlight++;
            idle.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    private void EndRequest(CancellationTokenSource idle)
    {
        lock (_idleLock)
        {
            if (--_inFlight == 0)
            {
                idle.CancelAfter(_settings.ConnectionsMaxIdle);
            }
        }
    }

    private sealed record PreparedRequest(KafkaApi Api, RequestHeader Header, int BodyStart);

    /// <summary>What a handled request leaves: a response frame to write (owned, disposed once written), or none, or a close.</summary>
    private readonly record struct Outcome(PooledBufferWriter? Response, bool Close)
    {
        public static readonly Outcome NoResponse = new(null, Close: false);

        public static readonly Outcome CloseConnection = new(null, Close: true);
    }
}
