using System.Buffers.Binary;
using ActorStream.Storage.Records;
using Microsoft.Win32.SafeHandles;

namespace ActorStream.Storage.Log;

/// <summary>
/// Walks batch headers in a segment file without reading record bytes: reads 8 KiB windows and parses the first
/// <see cref="RecordBatch.OffsetsHeaderSize"/> bytes of each batch from them. Used to find where an offset starts.
/// Performs no CRC check (recovery does); stops at the end limit or at a header that cannot be a batch.
/// </summary>
internal ref struct BatchHeaderScanner
{
    private const int WindowSize = 8 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly long _end;
    private readonly Span<byte> _window;
    private long _windowStart;
    private int _windowLength;

    public BatchHeaderScanner(SafeFileHandle handle, long start, long end, Span<byte> window)
    {
        _handle = handle;
        _end = end;
        _window = window;
        Position = start;
        _windowStart = -1;
    }

    public static int RequiredWindowSize => WindowSize;

    /// <summary>Position of the batch the last <see cref="MoveNext"/> found.</summary>
    public long Position { get; private set; }

    public long BaseOffset { get; private set; }
    public int Size { get; private set; }
    public long LastOffset { get; private set; }
    public long MaxTimestamp { get; private set; }

    private long _next;
    private bool _started;

    /// <summary>Advances to the next whole batch below the end limit; false at the end or at an impossible header.</summary>
    public bool MoveNext()
    {
        var position = _started ? _next : Position;
        _started = true;
        if (_end - position < RecordBatch.HeaderSize)
        {
            return false;
        }

        if (_windowStart < 0 || position < _windowStart || position + RecordBatch.HeaderSize > _windowStart + _windowLength)
        {
            // Batches larger than a quarter window rarely share one: read just the header instead of 8 KiB.
            var want = (int)Math.Min(Size > WindowSize / 4 ? RecordBatch.HeaderSize : WindowSize, _end - position);
            _windowLength = RandomAccess.Read(_handle, _window[..want], position);
            _windowStart = position;
            if (_windowLength < RecordBatch.HeaderSize)
            {
                return false;
            }
        }

        var header = _window.Slice((int)(position - _windowStart), RecordBatch.HeaderSize);
        var size = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatch.LengthOffset..]) + RecordBatch.LogOverhead;
        if (size < RecordBatch.HeaderSize || position + size > _end)
        {
            return false;
        }

        Position = position;
        Size = size;
        BaseOffset = BinaryPrimitives.ReadInt64BigEndian(header);
        LastOffset = BaseOffset + BinaryPrimitives.ReadInt32BigEndian(header[RecordBatch.LastOffsetDeltaOffset..]);
        MaxTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatch.MaxTimestampOffset..]);
        _next = position + size;
        return true;
    }
}
