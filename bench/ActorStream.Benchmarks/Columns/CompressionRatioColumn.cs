using System.Collections.Concurrent;
using System.Globalization;
using ActorStream.Benchmarks.Workloads;
using ActorStream.Storage.Buffers;
using ActorStream.Storage.Compression;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ActorStream.Benchmarks.Columns;

/// <summary>Uncompressed / compressed size of <see cref="JsonRecordsPayload"/> for the case's <c>Codec</c> parameter.</summary>
public sealed class CompressionRatioColumn : IColumn
{
    private readonly ConcurrentDictionary<CompressionType, double> _ratios = new();

    public string Id => nameof(CompressionRatioColumn);
    public string ColumnName => "CompressionRatio";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Size of the 1 MiB JSON records payload divided by its compressed size";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => CodecOf(c) is not null);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        CodecOf(benchmarkCase) is { } codec
            ? _ratios.GetOrAdd(codec, Measure).ToString("F2", CultureInfo.InvariantCulture)
            : "-";

    public static double Measure(CompressionType codec)
    {
        var payload = JsonRecordsPayload.Bytes;
        using var compressed = new PooledBufferWriter(payload.Length);
        CompressionCodec.For(codec).Compress(payload, compressed);
        return (double)payload.Length / compressed.WrittenCount;
    }

    private static CompressionType? CodecOf(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Value is CompressionType)?.Value as CompressionType?;

    public override string ToString() => ColumnName;
}
