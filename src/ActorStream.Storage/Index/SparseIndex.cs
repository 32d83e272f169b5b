using ActorStream.Storage.Errors;

namespace ActorStream.Storage.Index;

/// <summary>
/// A sparse, append-only index of fixed-size entries sorted by key, kept in memory and mirrored to a file.
/// Thread-safety: one writer (appends, truncation, flush) and any number of concurrent readers of
/// <see cref="Lookup"/>: the entry is written before the count is published, the array before the count.
/// The file is only the persistent copy; a damaged or missing file is rebuilt from the segment.
/// </summary>
internal abstract class SparseIndex<TEntry> : IDisposable
    where TEntry : struct
{
    private TEntry[] _entries;
    private volatile int _count;
    private FileStream? _writer;
    private int _flushedCount;
    private bool _rewriteNeeded;

    protected SparseIndex(string path, long baseOffset, TEntry[] entries, int count)
    {
        FilePath = path;
        BaseOffset = baseOffset;
        _entries = entries;
        _count = count;
        _flushedCount = count;
    }

    public string FilePath { get; }
    public long BaseOffset { get; }
    public int Count => _count;

    protected abstract int EntrySize { get; }

    protected abstract long KeyOf(in TEntry entry);

    protected abstract void Encode(in TEntry entry, Span<byte> destination);

    public TEntry? LastEntry
    {
        get
        {
            var count = _count;
            return count == 0 ? null : Volatile.Read(ref _entries)[count - 1];
        }
    }

    /// <summary>The entry with the largest key ≤ <paramref name="key"/>, or null when every key is larger.</summary>
    public TEntry? Lookup(long key) => LastWhere(e => KeyOf(e) <= key);

    protected void AppendEntry(in TEntry entry)
    {
        var count = _count;
        var entries = _entries;
        if (count == entries.Length)
        {
            Array.Resize(ref entries, Math.Max(16, entries.Length * 2));
            Volatile.Write(ref _entries, entries);
        }

        entries[count] = entry;
        _count = count + 1;
    }

    protected TEntry EntryAt(int index) => _entries[index];

    /// <summary>The last entry, scanning back from the newest, for which <paramref name="accept"/> holds (binary search on a monotone predicate).</summary>
    protected TEntry? LastWhere(Func<TEntry, bool> accept)
    {
        var count = _count;
        var entries = Volatile.Read(ref _entries);
        int lo = 0, hi = count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (accept(entries[mid]))
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found < 0 ? null : entries[found];
    }

    /// <summary>Drops every entry whose key is ≥ <paramref name="key"/> and rewrites the file.</summary>
    public void TruncateFromKey(long key)
    {
        var count = _count;
        while (count > 0 && KeyOf(_entries[count - 1]) >= key)
        {
            count--;
        }

        TruncateToCount(count);
    }

    /// <summary>Keeps the first <paramref name="count"/> entries and rewrites the file if any were dropped.</summary>
    protected void TruncateToCount(int count)
    {
        if (count < _count)
        {
            _count = count;
            Rewrite();
        }
    }

    public void Clear()
    {
        _count = 0;
        Rewrite();
    }

    /// <summary>Writes entries not yet on disk; with <paramref name="fsync"/>, forces them to the device.</summary>
    public void Flush(bool fsync)
    {
        try
        {
            FlushCore(fsync);
        }
        catch (IOException e)
        {
            // Drop the writer so the next flush starts from what is really in the file.
            CloseWriterQuietly();
            throw new KafkaStorageException($"Cannot write index {FilePath}: {e.Message}", e);
        }
    }

    private void CloseWriterQuietly()
    {
        try
        {
            _writer?.Dispose();
        }
        catch (IOException)
        {
        }

        _writer = null;
        _flushedCount = 0;
        _rewriteNeeded = true;
    }

    private void FlushCore(bool fsync)
    {
        if (_rewriteNeeded)
        {
            Rewrite();
            return;
        }

        var count = _count;
        if (count > _flushedCount)
        {
            _writer ??= OpenWriter();
            Span<byte> buffer = stackalloc byte[16];
            for (var i = _flushedCount; i < count; i++)
            {
                Encode(_entries[i], buffer);
                _writer.Write(buffer[..EntrySize]);
            }

            _flushedCount = count;
        }

        if (_writer is not null)
        {
            _writer.Flush(fsync);
        }
    }

    /// <summary>Replaces the file with the in-memory entries (after truncation or a rebuild), durably.</summary>
    public void Rewrite()
    {
        CloseWriterQuietly();
        var tmp = FilePath + ".tmp";
        try
        {
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                Span<byte> buffer = stackalloc byte[16];
                for (var i = 0; i < _count; i++)
                {
                    Encode(_entries[i], buffer);
                    stream.Write(buffer[..EntrySize]);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(tmp, FilePath, overwrite: true);
        }
        catch (IOException e)
        {
            throw new KafkaStorageException($"Cannot write index {FilePath}: {e.Message}", e);
        }

        _flushedCount = _count;
        _rewriteNeeded = false;
    }

    public void CloseWriter()
    {
        _writer?.Dispose();
        _writer = null;
    }

    private FileStream OpenWriter()
    {
        var stream = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 4096);
        stream.SetLength((long)_flushedCount * EntrySize);
        stream.Seek(0, SeekOrigin.End);
        return stream;
    }

    public void Delete()
    {
        CloseWriter();
        File.Delete(FilePath);
    }

    public void Dispose() => CloseWriter();

    /// <summary>Reads an index file; returns null when it is missing, empty-sized wrong or unreadable.</summary>
    protected static byte[]? ReadFile(string path, int entrySize)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            var bytes = File.ReadAllBytes(path);
            return bytes.Length % entrySize == 0 ? bytes : null;
        }
        catch (IOException e)
        {
            throw new KafkaStorageException($"Cannot read index file {path}: {e.Message}", e);
        }
    }
}
