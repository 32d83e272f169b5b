using ActorStream.Storage.Log;
using ActorStream.Storage.Records;
using ActorStream.Storage.Tests.Support;

namespace ActorStream.Storage.Tests.Log;

/// <summary>
/// Allocation budgets of the broker's hot path in the log: what appending one produced batch and planning and reading
/// one fetch cost in managed bytes, apart from the record bytes. Bytes allocated on the calling thread are
/// deterministic, so these cannot flake; a regression that copies or decodes records (hundreds of KiB per batch) or
/// allocates per record fails them by orders of magnitude.
/// </summary>
public sealed class HotPathAllocationSpec : IDisposable
{
    private const int RecordsPerBatch = 2_500;
    private const int ValueSize = 100;

    /// <summary>Append of one ~256 KiB batch (validate with CRC, assign offsets, write, index): a few small objects.</summary>
    private const long AppendBudget = 1024;

    /// <summary>Read planning (index lookups, header scans) of one fetch: the FileRecords and FetchDataInfo.</summary>
    private const long ReadPlanBudget = 1024;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static long AllocatedBy(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Appending_a_produced_batch_must_stay_within_its_allocation_budget()
    {
        using var log = PartitionLog.Open(_dir.Path, LogConfig.Default with { IndexIntervalBytes = 4096 });
        var template = TestBatches.Create(RecordsPerBatch, ValueSize);
        var batch = new byte[template.Length];
        for (var i = 0; i < 3; i++)
        {
            template.CopyTo(batch, 0);
            log.Append(batch, leaderEpoch: 1); // warm up: JIT, first index entries, the segment's first writes
        }

        template.CopyTo(batch, 0);
        var allocated = AllocatedBy(() => log.Append(batch, leaderEpoch: 1));

        Assert.Equal(4L * RecordsPerBatch, log.LogEndOffset);
        Assert.True(allocated < AppendBudget, $"appending one batch of {batch.Length} bytes allocated {allocated} bytes (budget {AppendBudget})");
    }

    [Fact]
    public void Planning_and_reading_a_fetch_must_allocate_only_the_destination()
    {
        using var log = PartitionLog.Open(_dir.Path);
        for (var i = 0; i < 8; i++)
        {
            log.Append(TestBatches.Create(RecordsPerBatch, ValueSize), leaderEpoch: 1);
        }

        var destination = new byte[1024 * 1024];
        log.Read(3 * RecordsPerBatch, destination.Length).Records.CopyTo(destination); // warm up

        FetchDataInfo info = null!;
        var planned = AllocatedBy(() => info = log.Read(3 * RecordsPerBatch + 7, destination.Length, maxOffset: 7 * RecordsPerBatch));
        var copied = AllocatedBy(() => info.Records.CopyTo(destination));

        Assert.Equal(3L * RecordsPerBatch, info.Records.FirstBatchBaseOffset);
        Assert.Equal(3L * RecordsPerBatch, RecordBatch.Validate(destination).BaseOffset);
        Assert.True(planned < ReadPlanBudget, $"planning a fetch allocated {planned} bytes (budget {ReadPlanBudget})");
        Assert.True(copied == 0, $"copying a planned fetch into a given buffer allocated {copied} bytes");
    }
}
