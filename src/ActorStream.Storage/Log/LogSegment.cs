using System.Buffers.Binary;
using ActorStream.Storage.Buffers;
using ActorStream.Storage.Errors;
using ActorStream.Storage.Index;
using ActorStream.Storage.Records;
using Microsoft.Win32.SafeHandles;

namespace ActorStream.Storage.Log;

/// <summary>
/// One segment: a <c>.log</c> file of whole batches starting at <see cref="BaseOffset"/>, with its offset and time
/// indexes. Thread-safety: one writer; readers may call <see cref="Read"/>, <see cref="Size"/> and the offset
/// properties concurrently and see only bytes up to the committed size, which is published after the bytes are
/// written.
/// </summary>
internal sealed class LogSegment : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly OffsetIndex _offsetIndex;
    private readonly TimeIndex _timeIndex;
    private long _size;
    private long _nextOffset;
    private long _maxTimestamp = RecordBatch.NoTimestamp;
    private long _offsetOfMaxTimestamp = -1;
    private int _bytesSinceLastIndexEntry;

    private LogSegment(string directory, long baseOffset, SafeFileHandle handle, OffsetIndex offsetIndex, TimeIndex timeIndex, long size, long createdAtMs)
    {
        Directory = directory;
        BaseOffset = baseOffset;
        _handle = handle;
        _offsetIndex = offsetIndex;
        _timeIndex = timeIndex;
        _size = size;
        _nextOffset = baseOffset;
        CreatedAtMs = createdAtMs;
    }

    public string Directory { get; }
    public long BaseOffset { get; }

    /// <summary>Wall-clock time the segment was created or opened by this process (for <c>segment.ms</c>).</summary>
    public long CreatedAtMs { get; }

    /// <summary>Committed bytes: readers never see past this.</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>The offset after the last batch in this segment (= <see cref="BaseOffset"/> when empty).</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);

    public bool IsEmpty => Size == 0;

    public int OffsetIndexSizeInBytes => _offsetIndex.Count * OffsetIndex.EntryBytes;

    public string LogPath => LogFileUtils.LogFile(Directory, BaseOffset);

    public static LogSegment Create(string directory, long baseOffset, long nowMs)
    {
        var handle = OpenHandle(LogFileUtils.LogFile(directory, baseOffset), FileMode.Create);
        return new LogSegment(
            directory,
            baseOffset,
            handle,
            OffsetIndex.CreateEmpty(LogFileUtils.OffsetIndexFile(directory, baseOffset), baseOffset),
            TimeIndex.CreateEmpty(LogFileUtils.TimeIndexFile(directory, baseOffset), baseOffset),
            0,
            nowMs);
    }

    /// <summary>
    /// Opens an existing segment. With <paramref name="recover"/>, or when an index is missing or inconsistent, or
    /// when the tail is torn, every batch is validated and the indexes are rebuilt (see <see cref="Recover"/>).
    /// </summary>
    public static LogSegment Open(string directory, long baseOffset, long nowMs, bool recover, int indexIntervalBytes, out long truncatedBytes)
    {
        var handle = OpenHandle(LogFileUtils.LogFile(directory, baseOffset), FileMode.Open);
        try
        {
            return OpenWithHandle(directory, baseOffset, handle, nowMs, recover, indexIntervalBytes, out truncatedBytes);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static LogSegment OpenWithHandle(string directory, long baseOffset, SafeFileHandle handle, long nowMs, bool recover, int indexIntervalBytes, out long truncatedBytes)
    {
        var size = RandomAccess.GetLength(handle);
        var offsetIndexPath = LogFileUtils.OffsetIndexFile(directory, baseOffset);
        var timeIndexPath = LogFileUtils.TimeIndexFile(directory, baseOffset);
        var offsetIndex = recover ? null : OffsetIndex.TryLoad(offsetIndexPath, baseOffset, size);
        var timeIndex = offsetIndex is null ? null : TimeIndex.TryLoad(timeIndexPath, baseOffset, long.MaxValue);
        var needsRecovery = offsetIndex is null || timeIndex is null;
        var segment = new LogSegment(
            directory,
            baseOffset,
            handle,
            offsetIndex ?? OffsetIndex.CreateEmpty(offsetIndexPath, baseOffset),
            timeIndex ?? TimeIndex.CreateEmpty(timeIndexPath, baseOffset),
            size,
            nowMs);

        truncatedBytes = 0;
        try
        {
            if (needsRecovery || !segment.LoadTailState())
            {
                truncatedBytes = segment.Recover(indexIntervalBytes);
            }
        }
        catch
        {
            segment._offsetIndex.Dispose();
            segment._timeIndex.Dispose();
            throw;
        }

        return segment;
    }

    private static SafeFileHandle OpenHandle(string path, FileMode mode)
    {
        try
        {
            return File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (IOException e)
        {
            throw new KafkaStorageException($"Cannot open segment {path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Appends validated batches whose offsets are already assigned. Adds index entries every
    /// <paramref name="indexIntervalBytes"/>. On an I/O error the file is cut back to its previous size.
    /// </summary>
    public void Append(ReadOnlySpan<byte> batches, int indexIntervalBytes)
    {
        var position = _size;
        if (position + batches.Length > int.MaxValue)
        {
            throw new InvalidOperationException($"Segment {BaseOffset} would exceed 2 GiB; roll first");
        }

        try
        {
            RandomAccess.Write(_handle, batches, position);
        }
        catch (IOException e)
        {
            TryCutBack(position);
            throw new KafkaStorageException($"Cannot append {batches.Length} bytes to {LogPath}: {e.Message}", e);
        }

        var relative = 0;
        var nextOffset = _nextOffset;
        while (relative < batches.Length)
        {
            var header = batches[relative..];
            var size = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatch.LengthOffset..]) + RecordBatch.LogOverhead;
            var baseOffset = BinaryPrimitives.ReadInt64BigEndian(header);
            var maxTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatch.MaxTimestampOffset..]);
            nextOffset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(header[RecordBatch.LastOffsetDeltaOffset..]) + 1;
            OnBatchWritten(baseOffset, (int)(position + relative), size, maxTimestamp, indexIntervalBytes);
            relative += size;
        }

        Volatile.Write(ref _size, position + batches.Length);
        Volatile.Write(ref _nextOffset, nextOffset);
    }

    private void OnBatchWritten(long baseOffset, int position, int size, long maxTimestamp, int indexIntervalBytes)
    {
        if (maxTimestamp > _maxTimestamp)
        {
            Volatile.Write(ref _maxTimestamp, maxTimestamp);
            _offsetOfMaxTimestamp = baseOffset;
        }

        if (_bytesSinceLastIndexEntry > indexIntervalBytes)
        {
            _offsetIndex.Append(baseOffset, position);
            _timeIndex.MaybeAppend(_maxTimestamp, _offsetOfMaxTimestamp);
            _bytesSinceLastIndexEntry = 0;
        }

        _bytesSinceLastIndexEntry += size;
    }

    private void TryCutBack(long size)
    {
        try
        {
            RandomAccess.SetLength(_handle, size);
        }
        catch (IOException)
        {
            // The committed size still bounds every reader, and recovery truncates the tail on the next open.
        }
    }

    /// <summary>
    /// Plans a read of whole batches: starts at the batch holding <paramref name="offset"/>, includes batches whose
    /// last offset is below <paramref name="maxOffset"/> while they fit in <paramref name="maxBytes"/> (the first
    /// batch always, with <paramref name="minOneBatch"/>). Null when this segment has no batch at or after the offset.
    /// </summary>
    /// <remarks>
    /// Only the first batch is found by scanning headers (from the offset index entry at or before it). The end is
    /// found from the offset index too, whose entries sit on batch boundaries: the last entry within the byte budget
    /// and below <paramref name="maxOffset"/>, then at most one index interval of headers. So planning a 1 MiB read
    /// costs a few small reads, not one per batch.
    /// </remarks>
    public FileRecords? Read(long offset, int maxBytes, long maxOffset, bool minOneBatch)
    {
        var size = Size;
        var nextOffset = NextOffset;
        if (FindBatch(offset, size) is not { } first)
        {
            return null;
        }

        if (first.LastOffset >= maxOffset || (first.Size > maxBytes && !minOneBatch))
        {
            return FileRecords.Empty;
        }

        var limit = first.Position + Math.Max((long)maxBytes, first.Size);
        if (limit >= size && maxOffset >= nextOffset)
        {
            // Everything to the committed end fits: whole batches by construction.
            return new FileRecords(_handle, first.Position, (int)(size - first.Position), first.BaseOffset, nextOffset - 1);
        }

        var end = first.Position + first.Size;
        var lastOffset = first.LastOffset;
        if (_offsetIndex.FloorByPositionAndOffset(limit, maxOffset) is { } entry && entry.Position > end)
        {
            // Every batch before an index entry ends before it, and its offsets are below the entry's offset.
            end = entry.Position;
            lastOffset = entry.Offset - 1;
        }

        Span<byte> window = stackalloc byte[BatchHeaderScanner.RequiredWindowSize];
        var tail = new BatchHeaderScanner(_handle, end, size, window);
        while (tail.MoveNext() && tail.Position + tail.Size <= limit && tail.LastOffset < maxOffset)
        {
            end = tail.Position + tail.Size;
            lastOffset = tail.LastOffset;
        }

        return new FileRecords(_handle, first.Position, (int)(end - first.Position), first.BaseOffset, lastOffset);
    }

    /// <summary>The batch holding <paramref name="offset"/> (scanning headers from its offset index entry), or null if none does.</summary>
    private (long Position, long BaseOffset, int Size, long LastOffset)? FindBatch(long offset, long size)
    {
        var start = _offsetIndex.Lookup(offset)?.Position ?? 0;
        Span<byte> window = stackalloc byte[BatchHeaderScanner.RequiredWindowSize];
        var scanner = new BatchHeaderScanner(_handle, start, size, window);
        while (scanner.MoveNext())
        {
            if (scanner.LastOffset >= offset)
            {
                return (scanner.Position, scanner.BaseOffset, scanner.Size, scanner.LastOffset);
            }
        }

        return null;
    }

    /// <summary>
    /// The first record with a timestamp ≥ <paramref name="timestamp"/> and an offset ≥ <paramref name="startingOffset"/>.
    /// Decodes the one batch that holds it (ListOffsets is not a hot path).
    /// </summary>
    public TimestampAndOffset? FindOffsetByTimestamp(long timestamp, long startingOffset, int maxDecompressedBytes)
    {
        var fromOffset = Math.Max(_timeIndex.Lookup(timestamp)?.Offset ?? BaseOffset, startingOffset);
        var start = _offsetIndex.Lookup(fromOffset)?.Position ?? 0;
        Span<byte> window = stackalloc byte[BatchHeaderScanner.RequiredWindowSize];
        var scanner = new BatchHeaderScanner(_handle, start, Size, window);
        while (scanner.MoveNext())
        {
            if (scanner.MaxTimestamp < timestamp || scanner.LastOffset < startingOffset)
            {
                continue;
            }

            var bytes = new byte[scanner.Size];
            RandomAccess.Read(_handle, bytes, scanner.Position);
            var batch = new RecordBatchView(RecordBatch.Validate(bytes), bytes);
            foreach (var record in batch.ReadRecords(maxDecompressedBytes))
            {
                if (record.Timestamp >= timestamp && record.Offset >= startingOffset)
                {
                    return new TimestampAndOffset(record.Timestamp, record.Offset);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The first record with the largest timestamp among the offsets in [<paramref name="startingOffset"/>,
    /// <paramref name="maxOffset"/>) (Kafka's MAX_TIMESTAMP, KIP-734); null when the range has no record here. Scans the
    /// batch headers and decodes only the batch that holds it.
    /// </summary>
    public TimestampAndOffset? FindMaxTimestamp(long startingOffset, long maxOffset, int maxDecompressedBytes)
    {
        Span<byte> window = stackalloc byte[BatchHeaderScanner.RequiredWindowSize];
        var scanner = new BatchHeaderScanner(_handle, 0, Size, window);
        var bestTimestamp = long.MinValue;
        var bestPosition = -1L;
        var bestSize = 0;
        while (scanner.MoveNext())
        {
            if (scanner.BaseOffset >= maxOffset)
            {
                break;
            }

            if (scanner.LastOffset >= startingOffset && scanner.MaxTimestamp > bestTimestamp)
            {
                (bestTimestamp, bestPosition, bestSize) = (scanner.MaxTimestamp, scanner.Position, scanner.Size);
            }
        }

        if (bestPosition < 0)
        {
            return null;
        }

        var bytes = new byte[bestSize];
        RandomAccess.Read(_handle, bytes, bestPosition);
        var batch = new RecordBatchView(RecordBatch.Validate(bytes), bytes);
        TimestampAndOffset? best = null;
        foreach (var record in batch.ReadRecords(maxDecompressedBytes))
        {
            if (record.Offset >= startingOffset && record.Offset < maxOffset && (best is null || record.Timestamp > best.Value.Timestamp))
            {
                best = new TimestampAndOffset(record.Timestamp, record.Offset);
            }
        }

        return best;
    }

    /// <summary>
    /// Removes every batch whose last offset is ≥ <paramref name="offset"/> (a batch straddling the offset goes
    /// whole). Returns the bytes removed.
    /// </summary>
    public long TruncateTo(long offset)
    {
        if (FindBatch(offset, Size) is not { } batch)
        {
            return 0;
        }

        var removed = Size - batch.Position;
        _offsetIndex.TruncateFromKey(batch.BaseOffset);
        _timeIndex.TruncateFromOffset(batch.BaseOffset);
        SetLength(batch.Position);
        Volatile.Write(ref _size, batch.Position);
        _maxTimestamp = RecordBatch.NoTimestamp;
        _offsetOfMaxTimestamp = -1;
        LoadTailState();
        return removed;
    }

    private void SetLength(long length)
    {
        try
        {
            RandomAccess.SetLength(_handle, length);
        }
        catch (IOException e)
        {
            throw new KafkaStorageException($"Cannot truncate {LogPath}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Recomputes next offset, max timestamp and the index interval counter by walking headers from the last
    /// index entry. False when the walk does not end exactly at the file size (a torn or garbage tail).
    /// </summary>
    private bool LoadTailState()
    {
        var lastIndexed = _offsetIndex.LastEntry;
        if (_timeIndex.LastEntry is { } lastTime)
        {
            _maxTimestamp = lastTime.Timestamp;
            _offsetOfMaxTimestamp = lastTime.Offset;
        }

        var size = Size;
        Span<byte> window = stackalloc byte[BatchHeaderScanner.RequiredWindowSize];
        var scanner = new BatchHeaderScanner(_handle, lastIndexed?.Position ?? 0, size, window);
        var end = lastIndexed?.Position ?? 0L;
        var nextOffset = lastIndexed?.Offset ?? BaseOffset;
        _bytesSinceLastIndexEntry = 0;
        while (scanner.MoveNext())
        {
            if (scanner.BaseOffset != nextOffset)
            {
                return false;
            }

            if (scanner.MaxTimestamp > _maxTimestamp)
            {
                _maxTimestamp = scanner.MaxTimestamp;
                _offsetOfMaxTimestamp = scanner.BaseOffset;
            }

            nextOffset = scanner.LastOffset + 1;
            end = scanner.Position + scanner.Size;
            _bytesSinceLastIndexEntry += scanner.Size;
        }

        Volatile.Write(ref _nextOffset, size == 0 ? BaseOffset : nextOffset);
        return end == size;
    }

    /// <summary>
    /// Validates every batch (length, magic, CRC, record count, increasing offsets), rebuilds both indexes and cuts
    /// the file at the first invalid byte. Returns the bytes cut.
    /// </summary>
    public long Recover(int indexIntervalBytes)
    {
        _offsetIndex.Clear();
        _timeIndex.Clear();
        _maxTimestamp = RecordBatch.NoTimestamp;
        _offsetOfMaxTimestamp = -1;
        _bytesSinceLastIndexEntry = 0;
        var fileSize = RandomAccess.GetLength(_handle);
        long position = 0;
        var nextOffset = BaseOffset;
        using var buffer = new PooledBufferWriter(1024 * 1024);
        while (fileSize - position >= RecordBatch.HeaderSize)
        {
            var header = ReadAt(buffer, position, RecordBatch.HeaderSize);
            var size = RecordBatch.PeekSize(header);
            if (size < RecordBatch.HeaderSize || size > fileSize - position)
            {
                break;
            }

            var bytes = ReadAt(buffer, position, size);
            RecordBatchHeader batch;
            try
            {
                batch = RecordBatch.Validate(bytes);
            }
            catch (StorageException)
            {
                break;
            }

            // Offsets are contiguous from the segment's base offset; the base offset field is outside the CRC, so
            // this is what catches a damaged one.
            if (batch.BaseOffset != nextOffset || batch.LastOffset - BaseOffset > int.MaxValue)
            {
                break;
            }

            OnBatchWritten(batch.BaseOffset, (int)position, size, batch.MaxTimestamp, indexIntervalBytes);
            nextOffset = batch.NextOffset;
            position += size;
        }

        var truncated = fileSize - position;
        if (truncated > 0)
        {
            SetLength(position);
        }

        Volatile.Write(ref _size, position);
        Volatile.Write(ref _nextOffset, nextOffset);
        _offsetIndex.Rewrite();
        _timeIndex.Rewrite();
        return truncated;
    }

    private ReadOnlySpan<byte> ReadAt(PooledBufferWriter buffer, long position, int length)
    {
        buffer.Clear();
        var span = buffer.GetSpan(length)[..length];
        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(_handle, span[read..], position + read);
            if (n == 0)
            {
                return span[..read];
            }

            read += n;
        }

        return span;
    }

    /// <summary>Forces the log and index files to disk.</summary>
    public void Flush()
    {
        try
        {
            RandomAccess.FlushToDisk(_handle);
            _offsetIndex.Flush(fsync: true);
            _timeIndex.Flush(fsync: true);
        }
        catch (IOException e)
        {
            throw new KafkaStorageException($"Cannot flush {LogPath}: {e.Message}", e);
        }
    }

    /// <summary>Called when a newer segment becomes active: records the final time index entry and closes writers.</summary>
    public void OnBecomeInactive()
    {
        if (_maxTimestamp != RecordBatch.NoTimestamp)
        {
            _timeIndex.MaybeAppend(_maxTimestamp, _offsetOfMaxTimestamp);
        }

        Flush();
        _offsetIndex.CloseWriter();
        _timeIndex.CloseWriter();
    }

    /// <summary>Closes the files and removes them from disk. Readers holding a <see cref="FileRecords"/> get OFFSET_OUT_OF_RANGE.</summary>
    public void Delete()
    {
        _handle.Dispose();
        _offsetIndex.Delete();
        _timeIndex.Delete();
        File.Delete(LogPath);
    }

    public void Dispose()
    {
        if (_handle.IsClosed)
        {
            return;
        }

        if (_maxTimestamp != RecordBatch.NoTimestamp)
        {
            _timeIndex.MaybeAppend(_maxTimestamp, _offsetOfMaxTimestamp);
        }

        try
        {
            _offsetIndex.Flush(fsync: false);
            _timeIndex.Flush(fsync: false);
        }
        catch (KafkaStorageException)
        {
            // Indexes are derived data: a short or torn index file is detected and rebuilt on open.
        }

        _offsetIndex.Dispose();
        _timeIndex.Dispose();
        _handle.Dispose();
    }
}
