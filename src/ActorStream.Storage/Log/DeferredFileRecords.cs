using System.Buffers;
using ActorStream.Storage.Errors;

namespace ActorStream.Storage.Log;

/// <summary>
/// The memory of a <see cref="FileRecords"/> range that is read only when someone needs the bytes: a serializer
/// that finds this manager behind a <c>ReadOnlyMemory&lt;byte&gt;</c> (<c>MemoryMarshal.TryGetMemoryManager</c>) reads
/// the file straight into its payload with <see cref="TryCopyTo"/>, so a fetch costs no intermediate array and the
/// read runs on the sending thread, not in the partition actor. Anyone else who asks for the span gets the bytes
/// read once into an array (what an eager read would have cost).
/// </summary>
/// <remarks>
/// Only for ranges that cannot change once planned: batches below the high watermark are never truncated, only
/// deleted whole (retention), which a read reports instead of returning other bytes. Thread-safe.
/// </remarks>
public sealed class DeferredFileRecords : MemoryManager<byte>
{
    private readonly FileRecords _records;
    private byte[]? _bytes;

    public DeferredFileRecords(FileRecords records) => _records = records;

    public int Length => _records.Length;

    /// <summary>The range's memory, without reading it (the base class would read it to learn its length).</summary>
    public override Memory<byte> Memory => CreateMemory(_records.Length);

    /// <summary>Reads the range into <paramref name="destination"/>; false when its segment is gone (deleted by retention meanwhile).</summary>
    public bool TryCopyTo(Span<byte> destination)
    {
        if (Volatile.Read(ref _bytes) is { } bytes)
        {
            bytes.CopyTo(destination);
            return true;
        }

        try
        {
            _records.CopyTo(destination[.._records.Length]);
            return true;
        }
        catch (StorageException)
        {
            return false;
        }
    }

    /// <exception cref="OffsetOutOfRangeException">the segment was deleted after the read was planned</exception>
    public override Span<byte> GetSpan()
    {
        if (Volatile.Read(ref _bytes) is not { } bytes)
        {
            bytes = _records.ToArray();
            bytes = Interlocked.CompareExchange(ref _bytes, bytes, null) ?? bytes;
        }

        return bytes;
    }

    public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException("Deferred file records cannot be pinned");

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
