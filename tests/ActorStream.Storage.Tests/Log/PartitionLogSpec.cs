using ActorStream.Storage.Errors;
using ActorStream.Storage.Log;
using ActorStream.Storage.Records;
using ActorStream.Storage.Tests.Support;

namespace ActorStream.Storage.Tests.Log;

public class PartitionLogSpec : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    private PartitionLog Open(LogConfig? config = null) => PartitionLog.Open(_dir.Path, config, _time);

    [Fact]
    public void Append_must_assign_consecutive_offsets_and_stamp_the_leader_epoch()
    {
        using var log = Open();
        var first = log.AppendRecords(3);
        var second = log.AppendRecords(2, leaderEpoch: 7);
        Assert.Equal((0L, 2L, 3), (first.FirstOffset, first.LastOffset, first.RecordCount));
        Assert.Equal((3L, 4L), (second.FirstOffset, second.LastOffset));
        Assert.Equal(5, log.LogEndOffset);

        var bytes = log.Read(3, 1024).Records.ToArray();
        var header = RecordBatch.Validate(bytes);
        Assert.Equal(3, header.BaseOffset);
        Assert.Equal(7, header.PartitionLeaderEpoch);
    }

    [Fact]
    public void Append_of_several_batches_at_once_must_assign_offsets_to_each()
    {
        using var log = Open();
        var info = log.Append(TestBatches.Concat(TestBatches.Create(2), TestBatches.Create(3, firstValue: 2)), 0);
        Assert.Equal((0L, 4L, 2), (info.FirstOffset, info.LastOffset, info.BatchCount));
        Assert.Equal(["v0", "v1", "v2", "v3", "v4"], log.ReadAll(0).Select(r => TestBatches.ValueText(r.Value)));
        Assert.Equal([0L, 1, 2, 3, 4], log.ReadAll(0).Select(r => r.Offset));
    }

    [Fact]
    public void Read_must_start_at_the_batch_holding_the_offset_and_return_whole_batches()
    {
        using var log = Open();
        log.AppendRecords(5);
        log.AppendRecords(5, firstValue: 5);
        log.AppendRecords(5, firstValue: 10);
        var info = log.Read(7, 1024 * 1024);
        Assert.Equal(5, info.Records.FirstBatchBaseOffset);
        Assert.Equal(14, info.Records.LastOffset);
        Assert.Equal(15, info.LogEndOffset);
        Assert.Equal(10, RecordBatchReader.ReadRecords(info.Records.ToArray()).Count());
    }

    [Fact]
    public void Read_must_honour_max_bytes_but_return_at_least_one_batch()
    {
        using var log = Open();
        var size = log.AppendRecords(5, valueSize: 100).SizeInBytes;
        log.AppendRecords(5, valueSize: 100);
        Assert.Equal(size, log.Read(0, size + 10).Records.Length);
        Assert.Equal(size, log.Read(0, 1).Records.Length);
        Assert.True(log.Read(0, 1, minOneBatch: false).Records.IsEmpty);
    }

    [Fact]
    public void Read_must_not_return_batches_at_or_above_max_offset()
    {
        using var log = Open();
        log.AppendRecords(3);
        log.AppendRecords(3);
        Assert.Equal(2, log.Read(0, 1 << 20, maxOffset: 3).Records.LastOffset);
        Assert.True(log.Read(0, 1 << 20, maxOffset: 2).Records.IsEmpty);
        Assert.True(log.Read(3, 1 << 20, maxOffset: 3).Records.IsEmpty);
    }

    [Fact]
    public void Read_at_the_log_end_must_be_empty_and_beyond_it_out_of_range()
    {
        using var log = Open();
        log.AppendRecords(3);
        Assert.True(log.Read(3, 1024).Records.IsEmpty);
        var e = Assert.Throws<OffsetOutOfRangeException>(() => log.Read(4, 1024));
        Assert.Equal(StorageErrorCode.OffsetOutOfRange, e.ErrorCode);
        Assert.Throws<OffsetOutOfRangeException>(() => log.Read(-1, 1024));
    }

    [Fact]
    public void Segments_must_roll_on_segment_bytes_and_be_named_by_base_offset()
    {
        var batch = TestBatches.Create(10, valueSize: 100);
        using var log = Open(LogConfig.Default with { SegmentBytes = (batch.Length * 3) + 50 });
        for (var i = 0; i < 7; i++)
        {
            log.AppendRecords(10, valueSize: 100, firstValue: i * 10);
        }

        Assert.Equal([0L, 30, 60], log.SegmentBaseOffsets);
        Assert.True(File.Exists(Path.Combine(_dir.Path, "00000000000000000030.log")));
        Assert.True(File.Exists(Path.Combine(_dir.Path, "00000000000000000030.index")));
        Assert.True(File.Exists(Path.Combine(_dir.Path, "00000000000000000030.timeindex")));
        Assert.Equal(Enumerable.Range(0, 70).Select(i => $"v{i}"), log.ReadAll(0).Select(r => TestBatches.ValueText(r.Value)));
    }

    [Fact]
    public void Segments_must_roll_on_segment_ms()
    {
        using var log = Open(LogConfig.Default with { SegmentMs = 60_000 });
        log.AppendRecords(1);
        _time.Advance(TimeSpan.FromSeconds(30));
        log.AppendRecords(1);
        Assert.Equal(1, log.SegmentCount);
        _time.Advance(TimeSpan.FromSeconds(31));
        log.AppendRecords(1);
        Assert.Equal([0L, 2], log.SegmentBaseOffsets);
    }

    [Fact]
    public void Offset_index_must_get_an_entry_every_index_interval_bytes_and_reads_must_use_it()
    {
        using var log = Open(LogConfig.Default with { IndexIntervalBytes = 1000 });
        for (var i = 0; i < 100; i++)
        {
            log.AppendRecords(2, valueSize: 200, firstValue: i * 2);
        }

        var indexBytes = new FileInfo(Path.Combine(_dir.Path, "00000000000000000000.index"));
        log.Flush();
        indexBytes.Refresh();
        Assert.InRange(indexBytes.Length / 8, 20, 60);
        for (var offset = 0; offset < 200; offset += 17)
        {
            var info = log.Read(offset, 1);
            Assert.InRange(offset - info.Records.FirstBatchBaseOffset, 0, 1);
        }
    }

    [Fact]
    public void OffsetForTimestamp_must_find_the_first_record_at_or_after_the_timestamp()
    {
        using var log = Open(LogConfig.Default with { SegmentBytes = 2000, IndexIntervalBytes = 100 });
        for (var i = 0; i < 50; i++)
        {
            log.AppendRecords(4, valueSize: 50, timestamp: 10_000 + (i * 100));
        }

        Assert.True(log.SegmentCount > 3);
        Assert.Equal(new TimestampAndOffset(10_000, 0), log.OffsetForTimestamp(0));
        Assert.Equal(new TimestampAndOffset(10_102, 6), log.OffsetForTimestamp(10_102));
        Assert.Equal(new TimestampAndOffset(12_500, 100), log.OffsetForTimestamp(12_499));
        Assert.Null(log.OffsetForTimestamp(99_999));
        Assert.Null(log.OffsetForTimestamp(12_500, maxOffset: 100));
    }

    [Fact]
    public void TruncateTo_must_remove_everything_from_the_batch_holding_the_offset()
    {
        using var log = Open(LogConfig.Default with { SegmentBytes = 500 });
        for (var i = 0; i < 20; i++)
        {
            log.AppendRecords(3, valueSize: 50, firstValue: i * 3);
        }

        var segmentsBefore = log.SegmentCount;
        Assert.Equal(30, log.TruncateTo(31));
        Assert.Equal(30, log.LogEndOffset);
        Assert.True(log.SegmentCount < segmentsBefore);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"v{i}"), log.ReadAll(0).Select(r => TestBatches.ValueText(r.Value)));
        Assert.Equal(30, log.AppendRecords(1).FirstOffset);
        Assert.Throws<OffsetOutOfRangeException>(() => log.Read(32, 100));
    }

    [Fact]
    public void DeleteRecordsBefore_must_move_the_log_start_and_delete_whole_segments_below_it()
    {
        using var log = Open(LogConfig.Default with { SegmentBytes = 500 });
        for (var i = 0; i < 20; i++)
        {
            log.AppendRecords(3, valueSize: 50, firstValue: i * 3);
        }

        var segments = log.SegmentCount;
        log.DeleteRecordsBefore(25);
        Assert.Equal(25, log.LogStartOffset);
        Assert.True(log.SegmentCount < segments);
        Assert.True(log.SegmentBaseOffsets[0] <= 25);
        Assert.Throws<OffsetOutOfRangeException>(() => log.Read(24, 100));
        Assert.Equal(25, log.ReadAll(25)[0].Offset);
        Assert.Throws<OffsetOutOfRangeException>(() => log.DeleteRecordsBefore(61));
    }

    [Fact]
    public void Log_start_offset_must_survive_a_restart()
    {
        using (var log = Open())
        {
            log.AppendRecords(10);
            log.DeleteRecordsBefore(4);
        }

        using var reopened = Open();
        Assert.Equal(4, reopened.LogStartOffset);
        Assert.Equal(10, reopened.LogEndOffset);
    }

    [Fact]
    public void Rejected_appends_must_leave_the_log_intact()
    {
        using var log = Open(LogConfig.Default with { MaxMessageBytes = 2000 });
        log.AppendRecords(3);
        var sizeBefore = log.Size;

        var tooLarge = TestBatches.Create(30, valueSize: 100);
        Assert.Throws<RecordTooLargeException>(() => log.Append(tooLarge, 0));

        var badCrc = TestBatches.Create(2);
        badCrc[^1] ^= 0xFF;
        Assert.Throws<CorruptRecordException>(() => log.Append(badCrc, 0));

        var wrongMagic = TestBatches.Create(2);
        wrongMagic[RecordBatch.MagicOffset] = 0;
        Assert.Throws<CorruptRecordException>(() => log.Append(wrongMagic, 0));

        var truncated = TestBatches.Create(2);
        Assert.Throws<CorruptRecordException>(() => log.Append(truncated.AsSpan(0, truncated.Length - 3), 0));

        // A good batch followed by a bad one: nothing of the request is stored.
        Assert.Throws<CorruptRecordException>(() => log.Append(TestBatches.Concat(TestBatches.Create(2), badCrc), 0));
        Assert.Throws<InvalidRecordException>(() => log.Append([], 0));

        Assert.Equal(3, log.LogEndOffset);
        Assert.Equal(sizeBefore, log.Size);
        Assert.Equal(3, log.AppendRecords(1).FirstOffset);
        Assert.Equal(4, log.ReadAll(0).Count);
    }

    [Fact]
    public void AppendAsFollower_must_keep_the_leaders_offsets_and_refuse_going_backwards()
    {
        using var leader = PartitionLog.Open(_dir.Sub("leader"), null, _time);
        using var follower = PartitionLog.Open(_dir.Sub("follower"), null, _time);
        leader.AppendRecords(3, leaderEpoch: 2);
        leader.AppendRecords(4, leaderEpoch: 2);
        var bytes = leader.Read(0, 1 << 20).Records.ToArray();
        var info = follower.AppendAsFollower(bytes);
        Assert.Equal((0L, 6L), (info.FirstOffset, info.LastOffset));
        Assert.Equal(bytes, follower.Read(0, 1 << 20).Records.ToArray());
        Assert.Throws<InvalidRecordException>(() => follower.AppendAsFollower(bytes));
    }

    [Fact]
    public void AppendAsFollower_must_refuse_a_corrupt_batch_from_the_leader_and_store_none_of_the_request()
    {
        using var leader = PartitionLog.Open(_dir.Sub("leader"), null, _time);
        using var follower = PartitionLog.Open(_dir.Sub("follower"), null, _time);
        leader.AppendRecords(3, leaderEpoch: 1);
        leader.AppendRecords(4, leaderEpoch: 1);
        var bytes = leader.Read(0, 1 << 20).Records.ToArray();
        var damaged = (byte[])bytes.Clone();
        damaged[^5] ^= 0xFF; // inside the second batch's records: its CRC no longer matches

        Assert.Throws<CorruptRecordException>(() => follower.AppendAsFollower(damaged));
        Assert.Equal(0, follower.LogEndOffset);
        Assert.Equal(0, follower.Size);

        follower.AppendAsFollower(bytes);
        Assert.Equal(7, follower.LogEndOffset);
    }

    [Fact]
    public void Reopening_after_a_clean_close_must_keep_every_record_without_recovery()
    {
        using (var log = Open(LogConfig.Default with { SegmentBytes = 1000 }))
        {
            for (var i = 0; i < 30; i++)
            {
                log.AppendRecords(2, valueSize: 40, firstValue: i * 2);
            }
        }

        using var reopened = Open(LogConfig.Default with { SegmentBytes = 1000 });
        Assert.True(reopened.OpenedCleanly);
        Assert.Equal(0, reopened.RecoveredTruncatedBytes);
        Assert.Equal(60, reopened.LogEndOffset);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"v{i}"), reopened.ReadAll(0).Select(r => TestBatches.ValueText(r.Value)));
        Assert.Equal(60, reopened.AppendRecords(1).FirstOffset);
    }

    [Fact]
    public void Flush_messages_1_must_fsync_every_append_and_advance_the_recovery_point()
    {
        using var log = Open(LogConfig.Default with { FlushMessages = 1 });
        log.AppendRecords(3);
        Assert.Equal(3, log.RecoveryPoint);
        log.AppendRecords(2);
        Assert.Equal(5, log.RecoveryPoint);
    }

    [Fact]
    public void Default_flush_policy_must_leave_appends_to_the_page_cache_until_flush_ms()
    {
        using var log = Open(LogConfig.Default with { FlushMs = 1000 });
        log.AppendRecords(3);
        Assert.Equal(0, log.RecoveryPoint);
        Assert.False(log.FlushIfDue());
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(log.FlushIfDue());
        Assert.Equal(3, log.RecoveryPoint);
    }

    [Fact]
    public async Task Concurrent_readers_must_only_ever_see_whole_valid_batches()
    {
        using var log = Open(LogConfig.Default with { SegmentBytes = 64 * 1024 });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        const int batches = 2000;
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < batches; i++)
            {
                log.AppendRecords(5, valueSize: 30, firstValue: i * 5);
            }
        });

        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            long offset = 0;
            while (offset < batches * 5L && !cts.IsCancellationRequested)
            {
                var info = log.Read(offset, 4096);
                if (info.Records.IsEmpty)
                {
                    continue;
                }

                foreach (var record in RecordBatchReader.ReadRecords(info.Records.ToArray()))
                {
                    if (record.Offset >= offset)
                    {
                        Assert.Equal($"v{record.Offset}", TestBatches.ValueText(record.Value));
                        offset = record.Offset + 1;
                    }
                }
            }

            return offset;
        })).ToArray();

        await writer;
        var reached = await Task.WhenAll(readers);
        Assert.All(reached, r => Assert.Equal(batches * 5L, r));
    }
}
