using ActorStream.Benchmarks.Columns;
using ActorStream.Benchmarks.Workloads;
using ActorStream.Storage.Log;
using BenchmarkDotNet.Attributes;

namespace ActorStream.Benchmarks;

/// <summary>
/// Reading a 64 MiB log from offset 0 to its end as a fetch loop does (<see cref="PartitionLog.Read"/> of at most
/// 1 MiB, then <see cref="FileRecords.CopyTo"/>) versus reading the same segment file with a <see cref="FileStream"/>
/// in 1 MiB chunks (the baseline). The file is in the page cache for both. One operation is the whole 64 MiB.
/// </summary>
[BytesPerOperation(LogWorkload.TotalBytes)]
public class LogReadBenchmarks
{
    private const int FetchSize = 1024 * 1024;

    private readonly byte[] _buffer = new byte[FetchSize];
    private string _directory = null!;
    private string _segmentPath = null!;
    private PartitionLog _log = null!;

    [Params(LogWorkload.SmallBatchSize, LogWorkload.LargeBatchSize)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = TemporaryDirectory.Create("read");
        _log = PartitionLog.Open(_directory, LogWorkload.Config(BatchSize));
        var batch = ExactSizeBatch.Build(BatchSize);
        for (var i = 0; i < LogWorkload.BatchCount(BatchSize); i++)
        {
            _log.Append(batch, leaderEpoch: 1);
        }

        _segmentPath = LogFileUtils.LogFile(_directory, baseOffset: 0);
        if (_log.SegmentCount != 1 || FileStream_Read() != LogWorkload.TotalBytes || PartitionLog_Read() != LogWorkload.TotalBytes)
        {
            throw new InvalidOperationException("The log does not hold exactly one 64 MiB segment");
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _log.CloseWithoutMarker();
        TemporaryDirectory.Delete(_directory);
    }

    [Benchmark(Baseline = true)]
    public long FileStream_Read()
    {
        using var file = new FileStream(_segmentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long total = 0;
        int read;
        while ((read = file.Read(_buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark]
    public long PartitionLog_Read()
    {
        long total = 0;
        var offset = _log.LogStartOffset;
        var end = _log.LogEndOffset;
        while (offset < end)
        {
            var records = _log.Read(offset, FetchSize).Records;
            records.CopyTo(_buffer);
            total += records.Length;
            offset = records.LastOffset + 1;
        }

        return total;
    }
}
