using ActorStream.Benchmarks.Workloads;
using ActorStream.Storage.Buffers;
using ActorStream.Storage.Records;
using BenchmarkDotNet.Attributes;

namespace ActorStream.Benchmarks;

/// <summary>
/// Producer-side encoding and broker/consumer-side validation and decoding of one uncompressed batch of
/// <see cref="RecordsPerBatch"/> records (8-byte key, 100-byte value). Every benchmark sets OperationsPerInvoke to the
/// record count, so Mean is per record and Op/s is records per second (target: ≥ 5 million encoded per second).
/// </summary>
[OperationsPerSecond]
public class RecordBatchBenchmarks
{
    public const int RecordsPerBatch = 1000;

    private byte[] _keys = null!;
    private byte[] _value = null!;
    private RecordBatchBuilder _builder = null!;
    private PooledBufferWriter _output = null!;
    private byte[] _batch = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _keys = SampleRecords.CreateKeys(RecordsPerBatch);
        _value = SampleRecords.CreateValue();
        _builder = new RecordBatchBuilder();
        _output = new PooledBufferWriter();
        AppendRecords();
        _batch = _builder.Build();
        _builder.Reset();
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _builder.Dispose();
        _output.Dispose();
    }

    /// <summary>The producer hot path: records into the builder, the batch into a reused buffer.</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerBatch)]
    public int Encode_WriteTo_reused_buffer()
    {
        _output.Clear();
        AppendRecords();
        _builder.WriteTo(_output);
        _builder.Reset();
        return _output.WrittenCount;
    }

    /// <summary>Same, but Build allocates each 119 KB batch array on the large object heap.</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerBatch)]
    public int Encode_Build_new_array()
    {
        AppendRecords();
        var batch = _builder.Build();
        _builder.Reset();
        return batch.Length;
    }

    /// <summary>What the broker does per batch on append: header checks and the CRC-32C over the whole batch.</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerBatch)]
    public int Validate_crc() => RecordBatch.Validate(_batch).RecordCount;

    /// <summary>Consumer decoding of a batch whose CRC was already checked.</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerBatch)]
    public long Decode_RecordBatchView()
    {
        var view = new RecordBatchView(RecordBatchHeader.Read(_batch), _batch);
        return SumValueLengths(view.ReadRecords());
    }

    /// <summary>Consumer path with <c>check.crcs</c>: validation plus decoding, through the enumerator API.</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerBatch)]
    public long Decode_RecordBatchReader_with_crc() => SumValueLengths(RecordBatchReader.ReadRecords(_batch));

    private void AppendRecords()
    {
        for (var i = 0; i < RecordsPerBatch; i++)
        {
            _builder.Append(SampleRecords.BaseTimestamp + i, _keys.AsSpan(i * SampleRecords.KeySize, SampleRecords.KeySize), _value);
        }
    }

    private static long SumValueLengths(IEnumerable<Record> records)
    {
        long sum = 0;
        foreach (var record in records)
        {
            sum += record.Value?.Length ?? 0;
        }

        return sum;
    }
}
