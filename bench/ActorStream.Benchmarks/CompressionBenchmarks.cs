using ActorStream.Benchmarks.Columns;
using ActorStream.Benchmarks.Workloads;
using ActorStream.Storage.Buffers;
using ActorStream.Storage.Compression;
using BenchmarkDotNet.Attributes;

namespace ActorStream.Benchmarks;

/// <summary>
/// Each codec on the 1 MiB JSON records payload (<see cref="JsonRecordsPayload"/>). One operation is the whole
/// payload, so MiB/s = 1 / Mean in seconds (the MiB/s column); for decompression MiB/s counts uncompressed bytes.
/// </summary>
[BytesPerOperation(JsonRecordsPayload.Size)]
public class CompressionBenchmarks
{
    private CompressionCodec _codec = null!;
    private byte[] _payload = null!;
    private byte[] _compressed = null!;
    private PooledBufferWriter _output = null!;

    [Params(CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd)]
    public CompressionType Codec { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _codec = CompressionCodec.For(Codec);
        _payload = JsonRecordsPayload.Bytes;
        _output = new PooledBufferWriter(2 * _payload.Length);
        _codec.Compress(_payload, _output);
        _compressed = _output.ToArray();

        _output.Clear();
        _codec.Decompress(_compressed, _output, _payload.Length);
        if (!_output.WrittenSpan.SequenceEqual(_payload))
        {
            throw new InvalidOperationException($"{Codec} does not round-trip the payload");
        }

        Console.WriteLine($"// {Codec}: {_payload.Length} -> {_compressed.Length} bytes, ratio {(double)_payload.Length / _compressed.Length:F2}");
    }

    [GlobalCleanup]
    public void GlobalCleanup() => _output.Dispose();

    [Benchmark]
    public int Compress()
    {
        _output.Clear();
        _codec.Compress(_payload, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int Decompress()
    {
        _output.Clear();
        _codec.Decompress(_compressed, _output, _payload.Length);
        return _output.WrittenCount;
    }
}
