using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>
/// A few Kafka requests written byte by byte (non-flexible versions, request header v1, response header v0), for what
/// a real client cannot be made to do: send a request to one chosen node (librdkafka sends CreateTopics to the
/// controller it reads from Metadata) and read fields its API hides (Metadata's <c>controller_id</c>). Independent of
/// the gateway's own codec on purpose.
/// </summary>
public sealed class RawKafkaClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private int _correlationId;

    private RawKafkaClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawKafkaClient> ConnectAsync(string host, int port, CancellationToken ct)
    {
        var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(host, port, ct);
            return new RawKafkaClient(tcp);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    public sealed record Broker(int NodeId, string Host, int Port);

    public sealed record Metadata(IReadOnlyList<Broker> Brokers, int ControllerId);

    public sealed record CreatedTopic(string Name, short ErrorCode, string? ErrorMessage);

    /// <summary>Metadata v1 for no topics: the brokers and the controller id.</summary>
    public async Task<Metadata> MetadataAsync(CancellationToken ct)
    {
        var body = new Writer();
        body.Int32(0); // topics: an empty array (null would mean all topics)
        var reader = await SendAsync(apiKey: 3, version: 1, body, ct);
        var brokers = new List<Broker>();
        for (var i = reader.Int32(); i > 0; i--)
        {
            var nodeId = reader.Int32();
            var host = reader.String()!;
            var port = reader.Int32();
            _ = reader.String(); // rack
            brokers.Add(new Broker(nodeId, host, port));
        }

        return new Metadata(brokers, reader.Int32());
    }

    /// <summary>CreateTopics v2 for one topic (no assignments, no configs).</summary>
    public async Task<CreatedTopic> CreateTopicAsync(string name, int partitions, short replicationFactor, int timeoutMs, CancellationToken ct)
    {
        var body = new Writer();
        body.Int32(1);
        body.String(name);
        body.Int32(partitions);
        body.Int16(replicationFactor);
        body.Int32(0); // assignments
        body.Int32(0); // configs
        body.Int32(timeoutMs);
        body.Bool(false); // validate_only
        var reader = await SendAsync(apiKey: 19, version: 2, body, ct);
        _ = reader.Int32(); // throttle_time_ms
        var count = reader.Int32();
        if (count != 1)
        {
            throw new InvalidDataException($"CreateTopics v2 answered {count} topics for one");
        }

        return new CreatedTopic(reader.String()!, reader.Int16(), reader.String());
    }

    private async Task<Reader> SendAsync(short apiKey, short version, Writer body, CancellationToken ct)
    {
        var correlationId = ++_correlationId;
        var header = new Writer();
        header.Int16(apiKey);
        header.Int16(version);
        header.Int32(correlationId);
        header.String("actorstream-raw");
        var frame = new Writer();
        frame.Int32(header.Length + body.Length);
        frame.Bytes(header.ToArray());
        frame.Bytes(body.ToArray());
        await _stream.WriteAsync(frame.ToArray(), ct);

        var size = new byte[4];
        await _stream.ReadExactlyAsync(size, ct);
        var response = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        await _stream.ReadExactlyAsync(response, ct);
        var reader = new Reader(response);
        var answered = reader.Int32();
        return answered == correlationId ? reader : throw new InvalidDataException($"Response to correlation id {answered}, expected {correlationId}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private sealed class Writer
    {
        private readonly MemoryStream _buffer = new();

        public int Length => (int)_buffer.Length;

        public byte[] ToArray() => _buffer.ToArray();

        public void Bytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

        public void Bool(bool value) => _buffer.WriteByte(value ? (byte)1 : (byte)0);

        public void Int16(short value)
        {
            Span<byte> bytes = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(bytes, value);
            Bytes(bytes);
        }

        public void Int32(int value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(bytes, value);
            Bytes(bytes);
        }

        public void String(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            Int16(checked((short)bytes.Length));
            Bytes(bytes);
        }
    }

    private sealed class Reader(byte[] bytes)
    {
        private int _position;

        public short Int16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

        public int Int32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

        public string? String()
        {
            var length = Int16();
            return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (_position + count > bytes.Length)
            {
                throw new InvalidDataException($"Response truncated: {count} bytes wanted at {_position} of {bytes.Length}");
            }

            var span = bytes.AsSpan(_position, count);
            _position += count;
            return span;
        }
    }
}
