using System.Buffers.Binary;
using System.Net.Sockets;
using ActorStream.Kafka.Protocol;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>A raw TCP client speaking Kafka frames byte by byte: what a real client sends, and what a broken one does.</summary>
internal sealed class RawKafkaClient : IAsyncDisposable
{
    /// <summary>Generous: other test processes share the two cores.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawKafkaClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public Socket Socket => _client.Client;

    public static async Task<RawKafkaClient> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        return new RawKafkaClient(client);
    }

    /// <summary>A request frame: size, request header (v1, or v2 when <paramref name="headerVersion"/> says so), body.</summary>
    public static byte[] Request(short apiKey, short apiVersion, int correlationId, ReadOnlySpan<byte> body, string? clientId = "raw-client", short headerVersion = 1)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(output);
        writer.WriteInt32(0);
        new RequestHeader(apiKey, apiVersion, correlationId, clientId).Write(ref writer, headerVersion);
        writer.WriteRaw(body);
        var frame = output.WrittenSpan.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        return frame;
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes) => await _stream.WriteAsync(bytes);

    public Task SendRequestAsync(short apiKey, short apiVersion, int correlationId, byte[] body, short headerVersion = 1) =>
        SendAsync(Request(apiKey, apiVersion, correlationId, body, headerVersion: headerVersion));

    /// <summary>The next response frame's bytes (after the size), or null when the broker closed the connection.</summary>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeout);
        var prefix = new byte[4];
        if (!await ReadExactlyAsync(prefix, cts.Token))
        {
            return null;
        }

        var size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        Assert.InRange(size, 4, 64 * 1024 * 1024);
        var frame = new byte[size];
        return await ReadExactlyAsync(frame, cts.Token) ? frame : throw new IOException("The broker closed the connection in the middle of a response");
    }

    /// <summary>Whether the broker closes the connection (reads end) without sending anything more.</summary>
    public async Task<bool> IsClosedByBrokerAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeout);
        var buffer = new byte[1];
        try
        {
            return await _stream.ReadAsync(buffer, cts.Token) == 0;
        }
        catch (IOException)
        {
            // A reset: the broker closed while our bytes were still unread (e.g. a refused huge frame).
            return true;
        }
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            }
            catch (IOException)
            {
                return false;
            }

            if (n == 0)
            {
                if (read == 0)
                {
                    return false;
                }

                throw new IOException($"The connection closed after {read} of {buffer.Length} bytes");
            }

            read += n;
        }

        return true;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
