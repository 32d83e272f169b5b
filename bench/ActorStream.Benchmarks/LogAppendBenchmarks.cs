using ActorStream.Benchmarks.Columns;
using ActorStream.Benchmarks.Workloads;
using ActorStream.Storage.Log;
using BenchmarkDotNet.Attributes;

namespace ActorStream.Benchmarks;

/// <summary>
/// Appending 64 MiB of pre-built batches to a fresh <see cref="PartitionLog"/> versus writing the same batches to a
/// fresh file with a plain <see cref="FileStream"/> (the baseline: the cost of the bytes alone). One operation is
/// the whole 64 MiB; both sides end with the data in the page cache, neither fsyncs.
/// </summary>
/// <remarks>
/// [IterationSetup] makes BenchmarkDotNet run one invocation per iteration, so every invocation gets an empty
/// directory. The same batch buffer is appended each time: Append re-stamps its offset and epoch in place.
/// </remarks>
[BytesPerOperation(LogWorkload.TotalBytes)]
public class LogAppendBenchmarks
{
    private const int LeaderEpoch = 1;

    private byte[] _batch = null!;
    private string? _directory;
    private PartitionLog? _log;
    private FileStream? _file;

    [Params(LogWorkload.SmallBatchSize, LogWorkload.LargeBatchSize)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void GlobalSetup() => _batch = ExactSizeBatch.Build(BatchSize);

    [IterationSetup(Target = nameof(FileStream_Write))]
    public void OpenFile()
    {
        _directory = TemporaryDirectory.Create("append");
        _file = new FileStream(Path.Combine(_directory, "plain.log"), FileMode.Create);
    }

    [IterationSetup(Target = nameof(PartitionLog_Append))]
    public void OpenLog()
    {
        _directory = TemporaryDirectory.Create("append");
        _log = PartitionLog.Open(_directory, LogWorkload.Config(BatchSize));
    }

    [IterationCleanup]
    public void CloseAndDelete()
    {
        _file?.Dispose();
        _file = null;
        // Skips the fsync a clean close does: the directory is deleted anyway, and flushing 64 MiB would only
        // slow the run and leave disk writeback running into the next iteration.
        _log?.CloseWithoutMarker();
        _log = null;
        TemporaryDirectory.Delete(_directory);
        _directory = null;
    }

    [Benchmark(Baseline = true)]
    public long FileStream_Write()
    {
        var file = _file!;
        var count = LogWorkload.BatchCount(BatchSize);
        for (var i = 0; i < count; i++)
        {
            file.Write(_batch);
        }

        file.Flush();
        return file.Length;
    }

    [Benchmark]
    public long PartitionLog_Append()
    {
        var log = _log!;
        var count = LogWorkload.BatchCount(BatchSize);
        for (var i = 0; i < count; i++)
        {
            log.Append(_batch, LeaderEpoch);
        }

        return log.LogEndOffset;
    }
}
