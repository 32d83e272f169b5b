namespace ActorStream.Storage.Log;

/// <summary>Opening a partition directory: crash detection, segment recovery, stray files.</summary>
public sealed partial class PartitionLog
{
    /// <summary>Bytes cut from torn or corrupt tails while opening (0 after a clean shutdown).</summary>
    public long RecoveredTruncatedBytes { get; private set; }

    /// <summary>True when the previous owner closed the log cleanly (no recovery was needed).</summary>
    public bool OpenedCleanly { get; private set; }

    private void Load()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var marker = Path.Combine(Directory, LogFileUtils.CleanShutdownFile);
        var clean = File.Exists(marker);
        if (clean)
        {
            // Removed before anything else: if we crash from here on, the next open recovers.
            File.Delete(marker);
        }

        OpenedCleanly = clean;
        var baseOffsets = ScanDirectory();
        var recoveryPoint = clean
            ? long.MaxValue
            : CheckpointFile.Read(Path.Combine(Directory, LogFileUtils.RecoveryPointFile)) ?? 0;

        var segments = new List<LogSegment>();
        try
        {
            LoadSegments(baseOffsets, recoveryPoint, clean, segments);
        }
        catch
        {
            foreach (var segment in segments)
            {
                segment.Dispose();
            }

            throw;
        }

        var checkpointedStart = CheckpointFile.Read(Path.Combine(Directory, LogFileUtils.LogStartOffsetFile));
        if (segments.Count == 0)
        {
            segments.Add(LogSegment.Create(Directory, checkpointedStart ?? 0, NowMs));
        }

        _segments = [.. segments];
        var logEnd = ActiveSegment.NextOffset;
        Volatile.Write(ref _logEndOffset, logEnd);
        Volatile.Write(ref _logStartOffset, Math.Min(Math.Max(checkpointedStart ?? 0, _segments[0].BaseOffset), logEnd));
        if (!clean)
        {
            ActiveSegment.Flush();
        }

        SetRecoveryPoint(logEnd);
    }

    private void LoadSegments(List<long> baseOffsets, long recoveryPoint, bool clean, List<LogSegment> segments)
    {
        var hole = false;
        var now = NowMs;
        for (var i = 0; i < baseOffsets.Count; i++)
        {
            var baseOffset = baseOffsets[i];
            if (hole || (segments.Count > 0 && baseOffset < segments[^1].NextOffset))
            {
                // Everything after a corrupt point, or a segment overlapping its predecessor, cannot be trusted.
                hole = true;
                DeleteSegmentFiles(baseOffset);
                continue;
            }

            var mayHoldUnflushed = i == baseOffsets.Count - 1 || baseOffsets[i + 1] > recoveryPoint;
            var segment = LogSegment.Open(Directory, baseOffset, now, recover: !clean && mayHoldUnflushed, Config.IndexIntervalBytes, out var truncated);
            segments.Add(segment);
            if (truncated > 0)
            {
                RecoveredTruncatedBytes += truncated;
                hole = true;
            }
        }
    }

    /// <summary>Lists segment base offsets and removes leftovers: temp files, half-deleted segments, orphan indexes.</summary>
    private List<long> ScanDirectory()
    {
        var baseOffsets = new List<long>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(LogFileUtils.TempSuffix, StringComparison.Ordinal) || name.EndsWith(LogFileUtils.DeletedSuffix, StringComparison.Ordinal))
            {
                File.Delete(path);
            }
            else if (name.EndsWith(LogFileUtils.LogSuffix, StringComparison.Ordinal) && LogFileUtils.OffsetFromFileName(name) is { } offset)
            {
                baseOffsets.Add(offset);
            }
        }

        foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
        {
            var name = Path.GetFileName(path);
            var isIndex = name.EndsWith(LogFileUtils.IndexSuffix, StringComparison.Ordinal) || name.EndsWith(LogFileUtils.TimeIndexSuffix, StringComparison.Ordinal);
            if (isIndex && LogFileUtils.OffsetFromFileName(name) is { } offset && !baseOffsets.Contains(offset))
            {
                File.Delete(path);
            }
        }

        baseOffsets.Sort();
        return baseOffsets;
    }

    private void DeleteSegmentFiles(long baseOffset)
    {
        File.Delete(LogFileUtils.LogFile(Directory, baseOffset));
        File.Delete(LogFileUtils.OffsetIndexFile(Directory, baseOffset));
        File.Delete(LogFileUtils.TimeIndexFile(Directory, baseOffset));
    }

    private void DisposeSegments()
    {
        foreach (var segment in _segments)
        {
            segment.Dispose();
        }
    }
}
