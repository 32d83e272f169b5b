using System.Buffers;

namespace ActorStream.Kafka.Network;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over one buffer rented from a <see cref="KafkaBufferPool"/>, grown by renting a
/// larger one (the old one goes back at once). One owner; <see cref="Dispose"/> returns the buffer.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int InitialSize = 4096;

    private readonly KafkaBufferPool _pool;
    private byte[]? _buffer;

    public PooledBufferWriter(KafkaBufferPool pool, int initialSize = InitialSize)
    {
        _pool = pool;
        _buffer = pool.Rent(initialSize);
    }

    public int WrittenCount { get; private set; }

    public Memory<byte> WrittenMemory => Buffer.AsMemory(0, WrittenCount);

    public Span<byte> WrittenSpan => Buffer.AsSpan(0, WrittenCount);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferWriter));

    public void Advance(int count)
    {
        if (count < 0 || WrittenCount + count > Buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        WrittenCount += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Buffer.AsMemory(WrittenCount);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Buffer.AsSpan(WrittenCount);
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _pool.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = WrittenCount + Math.Max(sizeHint, 1);
        var buffer = Buffer;
        if (needed <= buffer.Length)
        {
            return;
        }

        var larger = _pool.Rent((int)Math.Min(Array.MaxLength, Math.Max(needed, (long)buffer.Length * 2)));
        buffer.AsSpan(0, WrittenCount).CopyTo(larger);
        _buffer = larger;
        _pool.Return(buffer);
    }
}
