using ActorStream.Storage.Log;
using ActorStream.Storage.Tests.Support;

namespace ActorStream.Storage.Tests.Log;

public sealed class DeferredFileRecordsSpec : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_deferred_read_must_copy_the_planned_range_into_the_destination_and_serve_spans_alike()
    {
        using var log = PartitionLog.Open(_dir.Path);
        log.AppendRecords(10);
        log.AppendRecords(10, firstValue: 10);
        var records = log.Read(12, 1024 * 1024).Records;
        var deferred = new DeferredFileRecords(records);

        var destination = new byte[records.Length];
        Assert.True(deferred.TryCopyTo(destination));
        Assert.Equal(records.ToArray(), destination);
        Assert.Equal(records.ToArray(), deferred.Memory.ToArray());
        Assert.Equal(records.Length, deferred.Memory.Length);
    }

    [Fact]
    public void A_deferred_read_of_a_segment_closed_after_planning_must_report_failure_never_other_bytes()
    {
        var log = PartitionLog.Open(_dir.Path);
        log.AppendRecords(10);
        var deferred = new DeferredFileRecords(log.Read(0, 1024 * 1024).Records);
        var memory = deferred.Memory; // taking the memory must not read the range
        log.Dispose();

        Assert.Equal(deferred.Length, memory.Length);

        Assert.False(deferred.TryCopyTo(new byte[deferred.Length]));
    }
}
