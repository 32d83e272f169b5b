using ActorStream.Storage.Log;
using ActorStream.Storage.Tests.Support;

namespace ActorStream.Storage.Tests.Log;

public class RetentionSpec : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Five segments of 10 records each (timestamps: segment n holds n*1000 .. n*1000+9), the last one active.</summary>
    private PartitionLog OpenWithFiveSegments(LogConfig config)
    {
        var log = PartitionLog.Open(_dir.Path, config with { SegmentBytes = int.MaxValue }, _time);
        for (var segment = 0; segment < 5; segment++)
        {
            if (segment > 0)
            {
                log.Roll();
            }

            log.AppendRecords(10, valueSize: 100, timestamp: _time.NowMs - 100_000 + (segment * 1000), firstValue: segment * 10);
        }

        log.UpdateConfig(config);
        return log;
    }

    [Fact]
    public void Retention_ms_must_delete_closed_segments_whose_newest_record_is_too_old()
    {
        using var log = OpenWithFiveSegments(LogConfig.Default with { RetentionMs = 100_000 - 2_500 });
        Assert.Equal(3, log.EnforceRetention());
        Assert.Equal([30L, 40], log.SegmentBaseOffsets);
        Assert.Equal(30, log.LogStartOffset);
        Assert.Equal(30, log.ReadAll(30)[0].Offset);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "00000000000000000000.log")));
        Assert.False(File.Exists(Path.Combine(_dir.Path, "00000000000000000000.index")));
    }

    [Fact]
    public void Retention_must_never_delete_the_active_segment()
    {
        using var log = OpenWithFiveSegments(LogConfig.Default with { RetentionMs = 0, RetentionBytes = 0 });
        Assert.Equal(4, log.EnforceRetention());
        Assert.Equal([40L], log.SegmentBaseOffsets);
        Assert.Equal(10, log.ReadAll(40).Count);
    }

    [Fact]
    public void Retention_bytes_must_delete_the_oldest_segments_while_the_log_stays_at_or_above_the_limit()
    {
        using var log = OpenWithFiveSegments(LogConfig.Default with { RetentionMs = -1 });
        var segmentSize = log.Size / 5;
        log.UpdateConfig(log.Config with { RetentionBytes = (segmentSize * 3) - 10 });
        Assert.Equal(2, log.EnforceRetention());
        Assert.Equal([20L, 30, 40], log.SegmentBaseOffsets);
        Assert.Equal(20, log.LogStartOffset);
    }

    [Fact]
    public void Minus_one_must_disable_both_retention_limits()
    {
        using var log = OpenWithFiveSegments(LogConfig.Default with { RetentionMs = -1, RetentionBytes = -1 });
        _time.Advance(TimeSpan.FromDays(365));
        Assert.Equal(0, log.EnforceRetention());
        Assert.Equal(5, log.SegmentCount);
    }

    [Fact]
    public void Retention_must_move_a_reader_on_a_deleted_offset_to_out_of_range()
    {
        using var log = OpenWithFiveSegments(LogConfig.Default with { RetentionMs = 100_000 - 1_500 });
        var planned = log.Read(0, 1 << 20);
        log.EnforceRetention();
        Assert.Throws<Errors.OffsetOutOfRangeException>(() => log.Read(5, 1024));
        Assert.Throws<Errors.OffsetOutOfRangeException>(() => planned.Records.ToArray());
    }
}
