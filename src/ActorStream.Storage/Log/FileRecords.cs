using ActorStream.Storage.Errors;
using Microsoft.Win32.SafeHandles;

namespace ActorStream.Storage.Log;

/// <summary>
/// A byte range of whole batches inside one segment file: what a fetch returns instead of record objects.
/// The bytes are read only when <see cref="CopyTo"/> or <see cref="ToArray"/> is called (one copy, from the page
/// cache into the caller's buffer).
/// </summary>
public sealed class FileRecords
{
    public static readonly FileRecords Empty = new(null, 0, 0, -1, -1);

    private readonly SafeFileHandle? _handle;

    internal FileRecords(SafeFileHandle? handle, long position, int length, long firstBatchBaseOffset, long lastOffset)
    {
        _handle = handle;
        Position = position;
        Length = length;
        FirstBatchBaseOffset = firstBatchBaseOffset;
        LastOffset = lastOffset;
    }

    /// <summary>Byte position of the first batch in its segment file.</summary>
    public long Position { get; }

    public int Length { get; }

    /// <summary>Base offset of the first batch (≤ the fetch offset: a fetch starts at the batch holding it).</summary>
    public long FirstBatchBaseOffset { get; }

    /// <summary>Last offset of the last batch in the range.</summary>
    public long LastOffset { get; }

    public bool IsEmpty => Length == 0;

    /// <summary>Copies the range into <paramref name="destination"/> (which must hold <see cref="Length"/> bytes).</summary>
    /// <exception cref="OffsetOutOfRangeException">the segment was deleted (retention) after the read was planned</exception>
    public void CopyTo(Span<byte> destination)
    {
        if (_handle is null || Length == 0)
        {
            return;
        }

        try
        {
            var done = 0;
            while (done < Length)
            {
                var read = RandomAccess.Read(_handle, destination.Slice(done, Length - done), Position + done);
                if (read == 0)
                {
                    throw new OffsetOutOfRangeException("The segment was truncated while it was being read");
                }

                done += read;
            }
        }
        catch (ObjectDisposedException)
        {
            throw new OffsetOutOfRangeException("The segment was deleted (retention or truncation) while it was being read");
        }
        catch (IOException e)
        {
            throw new KafkaStorageException($"Cannot read segment: {e.Message}", e);
        }
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }
}
