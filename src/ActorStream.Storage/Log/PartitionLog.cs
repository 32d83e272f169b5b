using ActorStream.Storage.Errors;
using ActorStream.Storage.Records;

namespace ActorStream.Storage.Log;

/// <summary>
/// The log of one partition: a directory of segments named by base offset, Kafka's <c>UnifiedLog</c> without
/// replication state. Appends assign offsets by patching batch headers in place (records are never decoded);
/// reads return file byte ranges of whole batches.
/// </summary>
/// <remarks>
/// Thread-safety: mutating calls (append, truncate, roll, retention, flush, close) are serialised by a lock and are
/// meant to come from one owner (the partition actor or the follower fetcher). Reads may run concurrently from
/// any thread: they observe <see cref="LogEndOffset"/>, which is published only after the bytes and indexes of an
/// append are in place, and never see a partial batch. A truncation must not race readers of the truncated range.
/// </remarks>
public sealed partial class PartitionLog : IDisposable
{
    private readonly Lock _writeLock = new();
    private readonly TimeProvider _time;
    private LogSegment[] _segments = [];
    private long _logStartOffset;
    private long _logEndOffset;
    private long _recoveryPoint;
    private long _unflushedMessages;
    private long _lastFlushMs;
    private bool _closed;

    private PartitionLog(string directory, LogConfig config, TimeProvider time)
    {
        Directory = directory;
        Config = config;
        _time = time;
        _lastFlushMs = NowMs;
    }

    public string Directory { get; }

    public LogConfig Config { get; private set; }

    /// <summary>The first offset a reader may ask for.</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>The offset the next appended record gets.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    /// <summary>Offsets below this are known to be on disk (fsynced); recovery after a crash starts here.</summary>
    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);

    public int SegmentCount => Volatile.Read(ref _segments).Length;

    public IReadOnlyList<long> SegmentBaseOffsets => Array.ConvertAll(Volatile.Read(ref _segments), s => s.BaseOffset);

    /// <summary>Bytes of all segments.</summary>
    public long Size => Volatile.Read(ref _segments).Sum(s => s.Size);

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private LogSegment ActiveSegment => _segments[^1];

    /// <summary>Opens (creating if needed) the log in <paramref name="directory"/>, recovering after a crash.</summary>
    public static PartitionLog Open(string directory, LogConfig? config = null, TimeProvider? time = null)
    {
        var log = new PartitionLog(directory, config ?? LogConfig.Default, time ?? TimeProvider.System);
        try
        {
            log.Load();
        }
        catch (IOException e)
        {
            log.DisposeSegments();
            throw new KafkaStorageException($"Cannot open log {directory}: {e.Message}", e);
        }
        catch
        {
            log.DisposeSegments();
            throw;
        }

        return log;
    }

    /// <summary>Applies new topic configs (retention, segment size, ...) from now on.</summary>
    public void UpdateConfig(LogConfig config)
    {
        lock (_writeLock)
        {
            Config = config;
        }
    }

    /// <summary>
    /// Appends batches from a producer, as leader: validates each (length, magic, CRC, record count, size ≤
    /// <c>max.message.bytes</c>), assigns offsets from the log end and stamps <paramref name="leaderEpoch"/> by
    /// patching <paramref name="batches"/> in place. All-or-nothing: a rejected batch leaves the log untouched.
    /// </summary>
    public LogAppendInfo Append(Span<byte> batches, int leaderEpoch)
    {
        lock (_writeLock)
        {
            EnsureOpen();
            var firstOffset = LogEndOffset;
            var next = firstOffset;
            var summary = new AppendSummary();
            var position = 0;
            while (position < batches.Length)
            {
                var batch = batches[position..];
                var header = RecordBatch.Validate(batch, Config.MaxMessageBytes);
                RecordBatch.SetBaseOffset(batch, next);
                RecordBatch.SetPartitionLeaderEpoch(batch, leaderEpoch);
                summary.Add(header with { BaseOffset = next });
                next += header.RecordCount;
                position += header.SizeInBytes;
            }

            return AppendValidated(batches, firstOffset, summary);
        }
    }

    /// <summary>
    /// Appends batches copied from the leader, as follower: offsets and epochs are already assigned. Each batch is
    /// validated; offsets must continue the log without a gap (a follower that must jump uses
    /// <see cref="TruncateFullyAndStartAt"/>).
    /// </summary>
    public LogAppendInfo AppendAsFollower(ReadOnlySpan<byte> batches)
    {
        lock (_writeLock)
        {
            EnsureOpen();
            var expected = LogEndOffset;
            var summary = new AppendSummary();
            var position = 0;
            long firstOffset = -1;
            while (position < batches.Length)
            {
                var header = RecordBatch.Validate(batches[position..]);
                if (header.BaseOffset != expected)
                {
                    throw new InvalidRecordException($"Follower append at offset {header.BaseOffset} does not continue the log at {expected}");
                }

                if (firstOffset < 0)
                {
                    firstOffset = header.BaseOffset;
                }

                summary.Add(header);
                expected = header.NextOffset;
                position += header.SizeInBytes;
            }

            return AppendValidated(batches, firstOffset, summary);
        }
    }

    private LogAppendInfo AppendValidated(ReadOnlySpan<byte> batches, long firstOffset, in AppendSummary summary)
    {
        if (summary.BatchCount == 0)
        {
            throw new InvalidRecordException("An append needs at least one batch");
        }

        var segment = MaybeRoll(batches.Length, firstOffset, summary.LastOffset);
        segment.Append(batches, Config.IndexIntervalBytes);
        Volatile.Write(ref _logEndOffset, summary.LastOffset + 1);
        _unflushedMessages += summary.RecordCount;
        if (_unflushedMessages >= Config.FlushMessages || NowMs - _lastFlushMs >= Config.FlushMs)
        {
            FlushLocked();
        }

        return new LogAppendInfo(firstOffset, summary.LastOffset, summary.MaxTimestamp, summary.OffsetOfMaxTimestamp, summary.RecordCount, summary.BatchCount, batches.Length);
    }

    private LogSegment MaybeRoll(int size, long firstOffset, long lastOffset)
    {
        var segment = ActiveSegment;
        var relativeOverflow = lastOffset - segment.BaseOffset > int.MaxValue || firstOffset < segment.BaseOffset;
        var full = !segment.IsEmpty && (
            segment.Size + size > Config.SegmentBytes
            || NowMs - segment.CreatedAtMs > Config.SegmentMs
            || segment.OffsetIndexSizeInBytes + Index.OffsetIndex.EntryBytes > Config.SegmentIndexBytes);
        return relativeOverflow || full ? RollLocked(firstOffset) : segment;
    }

    /// <summary>Closes the active segment and starts a new one at the log end offset (no-op when it is empty).</summary>
    public void Roll()
    {
        lock (_writeLock)
        {
            EnsureOpen();
            if (!ActiveSegment.IsEmpty)
            {
                RollLocked(LogEndOffset);
            }
        }
    }

    private LogSegment RollLocked(long baseOffset)
    {
        var old = ActiveSegment;
        LogSegment[] remaining;
        if (old.IsEmpty)
        {
            remaining = _segments[..^1];
            old.Delete();
        }
        else
        {
            old.OnBecomeInactive();
            remaining = _segments;
        }

        var segment = LogSegment.Create(Directory, baseOffset, NowMs);
        Volatile.Write(ref _segments, [.. remaining, segment]);
        SetRecoveryPoint(baseOffset);
        return segment;
    }

    /// <summary>
    /// Plans a read of whole batches from the batch holding <paramref name="offset"/>, up to
    /// <paramref name="maxBytes"/> (at least one batch with <paramref name="minOneBatch"/>), never including a
    /// batch whose last offset is ≥ <paramref name="maxOffset"/> (e.g. the high watermark). Reads one segment.
    /// </summary>
    /// <exception cref="OffsetOutOfRangeException">offset below the log start or above the log end</exception>
    public FetchDataInfo Read(long offset, int maxBytes, long maxOffset = long.MaxValue, bool minOneBatch = true)
    {
        var logEnd = LogEndOffset;
        var logStart = LogStartOffset;
        if (offset < logStart || offset > logEnd)
        {
            throw new OffsetOutOfRangeException($"Offset {offset} is outside the log range [{logStart}, {logEnd}] of {Directory}");
        }

        var limit = Math.Min(maxOffset, logEnd);
        if (offset >= limit)
        {
            return FetchDataInfo.Empty(offset, logStart, logEnd);
        }

        var segments = Volatile.Read(ref _segments);
        try
        {
            for (var i = FloorSegment(segments, offset); i < segments.Length; i++)
            {
                if (segments[i].Read(offset, maxBytes, limit, minOneBatch) is { } records)
                {
                    return new FetchDataInfo(offset, records, logStart, logEnd);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            throw new OffsetOutOfRangeException($"Offset {offset} of {Directory} was deleted while being read");
        }

        return FetchDataInfo.Empty(offset, logStart, logEnd);
    }

    private static int FloorSegment(LogSegment[] segments, long offset)
    {
        int lo = 0, hi = segments.Length - 1, found = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (segments[mid].BaseOffset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>
    /// The first record whose timestamp is ≥ <paramref name="timestamp"/> and offset is below
    /// <paramref name="maxOffset"/>, at or after the log start; null when there is none (Kafka answers the log end).
    /// </summary>
    public TimestampAndOffset? OffsetForTimestamp(long timestamp, long maxOffset = long.MaxValue)
    {
        var logStart = LogStartOffset;
        try
        {
            foreach (var segment in Volatile.Read(ref _segments))
            {
                if (segment.MaxTimestamp < timestamp || segment.NextOffset <= logStart)
                {
                    continue;
                }

                if (segment.FindOffsetByTimestamp(timestamp, logStart, Config.MaxDecompressedBytes) is { } found)
                {
                    return found.Offset < maxOffset ? found : null;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            return OffsetForTimestamp(timestamp, maxOffset);
        }

        return null;
    }

    /// <summary>
    /// The first record with the largest timestamp at or after the log start and below <paramref name="maxOffset"/>
    /// (Kafka's ListOffsets MAX_TIMESTAMP); null when there is no record.
    /// </summary>
    public TimestampAndOffset? MaxTimestampAndOffset(long maxOffset = long.MaxValue)
    {
        var logStart = LogStartOffset;
        try
        {
            TimestampAndOffset? best = null;
            // Segments by their largest timestamp, newest first: the first that has a record in range holds the answer
            // unless its largest timestamp lies past maxOffset, so keep looking while a segment could still beat it.
            foreach (var segment in Volatile.Read(ref _segments).Where(s => s.NextOffset > logStart && s.BaseOffset < maxOffset).OrderByDescending(s => s.MaxTimestamp).ThenBy(s => s.BaseOffset))
            {
                if (best is { } found && segment.MaxTimestamp <= found.Timestamp)
                {
                    break;
                }

                if (segment.FindMaxTimestamp(logStart, maxOffset, Config.MaxDecompressedBytes) is { } candidate
                    && (best is null || candidate.Timestamp > best.Value.Timestamp || (candidate.Timestamp == best.Value.Timestamp && candidate.Offset < best.Value.Offset)))
                {
                    best = candidate;
                }
            }

            return best;
        }
        catch (ObjectDisposedException)
        {
            return MaxTimestampAndOffset(maxOffset);
        }
    }

    private void EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
    }

    private void SetRecoveryPoint(long offset)
    {
        Volatile.Write(ref _recoveryPoint, offset);
        CheckpointFile.Write(Path.Combine(Directory, LogFileUtils.RecoveryPointFile), offset);
    }

    /// <summary>Running totals of the batches of one append.</summary>
    private struct AppendSummary
    {
        public int BatchCount;
        public int RecordCount;
        public long LastOffset;
        public long MaxTimestamp;
        public long OffsetOfMaxTimestamp;

        public AppendSummary()
        {
            MaxTimestamp = RecordBatch.NoTimestamp;
            OffsetOfMaxTimestamp = -1;
        }

        public void Add(in RecordBatchHeader header)
        {
            BatchCount++;
            RecordCount += header.RecordCount;
            LastOffset = header.LastOffset;
            if (header.MaxTimestamp > MaxTimestamp)
            {
                MaxTimestamp = header.MaxTimestamp;
                OffsetOfMaxTimestamp = header.BaseOffset;
            }
        }
    }
}
