using System.Buffers;

namespace ActorStream.Kafka.Network;

/// <summary>
/// The buffers a gateway's connections rent for request frames and responses, with a count of the rentals not yet
/// returned: every path through a connection (a good request, a bad one, a client that vanished mid-frame) must give
/// back what it rented, and tests check that the count returns to its baseline.
/// </summary>
internal sealed class KafkaBufferPool(ArrayPool<byte> pool)
{
    private long _outstanding;

    public KafkaBufferPool()
        : this(ArrayPool<byte>.Shared)
    {
    }

    /// <summary>Rentals not yet returned.</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding);

    public byte[] Rent(int minimumLength)
    {
        var buffer = pool.Rent(minimumLength);
        Interlocked.Increment(ref _outstanding);
        return buffer;
    }

    public void Return(byte[] buffer)
    {
        Interlocked.Decrement(ref _outstanding);
        pool.Return(buffer);
    }
}
