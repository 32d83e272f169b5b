using ActorStream.Storage.Errors;

namespace ActorStream.Storage.Log;

/// <summary>Truncation, retention, flushing and closing.</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Removes every record at or above <paramref name="offset"/> (a follower after a leader change). A batch
    /// straddling the offset is removed whole, so the new log end may be below <paramref name="offset"/>; the log
    /// start never stays above the log end. Returns the new log end offset.
    /// </summary>
    public long TruncateTo(long offset)
    {
        lock (_writeLock)
        {
            EnsureOpen();
            if (offset >= LogEndOffset)
            {
                return LogEndOffset;
            }

            if (offset <= _segments[0].BaseOffset)
            {
                TruncateFullyAndStartAtLocked(offset);
                return LogEndOffset;
            }

            var keep = _segments.Where(s => s.BaseOffset < offset).ToArray();
            var drop = _segments[keep.Length..];
            Volatile.Write(ref _segments, keep);
            foreach (var segment in drop)
            {
                segment.Delete();
            }

            ActiveSegment.TruncateTo(offset);
            var logEnd = ActiveSegment.NextOffset;
            Volatile.Write(ref _logEndOffset, logEnd);
            if (LogStartOffset > logEnd)
            {
                SetLogStartOffset(logEnd);
            }

            SetRecoveryPoint(Math.Min(RecoveryPoint, logEnd));
            return logEnd;
        }
    }

    /// <summary>Deletes every segment and starts an empty log at <paramref name="offset"/> (log start = log end = offset).</summary>
    public void TruncateFullyAndStartAt(long offset)
    {
        lock (_writeLock)
        {
            EnsureOpen();
            TruncateFullyAndStartAtLocked(offset);
        }
    }

    private void TruncateFullyAndStartAtLocked(long offset)
    {
        var old = _segments;
        foreach (var segment in old)
        {
            segment.Delete();
        }

        Volatile.Write(ref _segments, [LogSegment.Create(Directory, offset, NowMs)]);
        Volatile.Write(ref _logEndOffset, offset);
        SetLogStartOffset(offset);
        SetRecoveryPoint(offset);
    }

    /// <summary>
    /// Moves the log start offset to <paramref name="offset"/> (Kafka's DeleteRecords): reads below it fail with
    /// OFFSET_OUT_OF_RANGE at once, and segments wholly below it are deleted.
    /// </summary>
    public void DeleteRecordsBefore(long offset)
    {
        lock (_writeLock)
        {
            EnsureOpen();
            if (offset > LogEndOffset)
            {
                throw new OffsetOutOfRangeException($"Cannot delete records before {offset}: the log ends at {LogEndOffset}");
            }

            if (offset <= LogStartOffset)
            {
                return;
            }

            SetLogStartOffset(offset);
            if (offset == LogEndOffset && !ActiveSegment.IsEmpty)
            {
                RollLocked(offset);
            }

            DeleteSegmentsLocked(static (segment, log) => segment.NextOffset <= log.LogStartOffset);
        }
    }

    /// <summary>
    /// Applies <c>retention.ms</c> and <c>retention.bytes</c>, deleting whole closed segments from the oldest; the
    /// active segment is never deleted. Returns the number of segments deleted.
    /// </summary>
    public int EnforceRetention()
    {
        lock (_writeLock)
        {
            EnsureOpen();
            var deleted = 0;
            if (Config.RetentionMs >= 0)
            {
                var cutoff = NowMs - Config.RetentionMs;
                deleted += DeleteSegmentsLocked((segment, _) => segment.MaxTimestamp < cutoff);
            }

            if (Config.RetentionBytes >= 0)
            {
                var excess = Size - Config.RetentionBytes;
                deleted += DeleteSegmentsLocked((segment, _) =>
                {
                    if (excess - segment.Size < 0)
                    {
                        return false;
                    }

                    excess -= segment.Size;
                    return true;
                });
            }

            deleted += DeleteSegmentsLocked(static (segment, log) => segment.NextOffset <= log.LogStartOffset);
            return deleted;
        }
    }

    /// <summary>Deletes closed segments from the oldest while <paramref name="shouldDelete"/> holds; moves the log start.</summary>
    private int DeleteSegmentsLocked(Func<LogSegment, PartitionLog, bool> shouldDelete)
    {
        var segments = _segments;
        var count = 0;
        while (count < segments.Length - 1 && shouldDelete(segments[count], this))
        {
            count++;
        }

        if (count == 0)
        {
            return 0;
        }

        var kept = segments[count..];
        Volatile.Write(ref _segments, kept);
        if (kept[0].BaseOffset > LogStartOffset)
        {
            SetLogStartOffset(kept[0].BaseOffset);
        }

        for (var i = 0; i < count; i++)
        {
            segments[i].Delete();
        }

        return count;
    }

    private void SetLogStartOffset(long offset)
    {
        Volatile.Write(ref _logStartOffset, offset);
        CheckpointFile.Write(Path.Combine(Directory, LogFileUtils.LogStartOffsetFile), offset);
    }

    /// <summary>Forces every appended byte to disk (fsync of the active segment and its indexes).</summary>
    public void Flush()
    {
        lock (_writeLock)
        {
            EnsureOpen();
            FlushLocked();
        }
    }

    /// <summary>Flushes when <c>flush.ms</c> has passed since the last flush and something is unflushed (call from a timer).</summary>
    public bool FlushIfDue()
    {
        lock (_writeLock)
        {
            EnsureOpen();
            if (_unflushedMessages == 0 || NowMs - _lastFlushMs < Config.FlushMs)
            {
                return false;
            }

            FlushLocked();
            return true;
        }
    }

    private void FlushLocked()
    {
        ActiveSegment.Flush();
        Volatile.Write(ref _recoveryPoint, LogEndOffset);
        _unflushedMessages = 0;
        _lastFlushMs = NowMs;
    }

    /// <summary>
    /// Clean close: flushes, checkpoints the recovery point and writes the clean-shutdown marker. If the disk
    /// fails on the way, the files are still closed and the marker is not written, so the next open recovers.
    /// </summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            var flushed = false;
            try
            {
                ActiveSegment.OnBecomeInactive();
                SetRecoveryPoint(LogEndOffset);
                flushed = true;
            }
            catch (StorageException)
            {
            }
            finally
            {
                DisposeSegments();
            }

            if (flushed)
            {
                try
                {
                    CheckpointFile.Write(Path.Combine(Directory, LogFileUtils.CleanShutdownFile), LogEndOffset);
                }
                catch (StorageException)
                {
                    // No marker: the next open validates the tail, which is what we want after a failing disk.
                }
            }
        }
    }

    /// <summary>
    /// Closes the files without flushing or writing the clean-shutdown marker, as a crash would leave them
    /// (for crash-recovery tests and for giving up on a failed disk).
    /// </summary>
    public void CloseWithoutMarker()
    {
        lock (_writeLock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            DisposeSegments();
        }
    }
}
