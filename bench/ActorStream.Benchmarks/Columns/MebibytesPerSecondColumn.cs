using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ActorStream.Benchmarks.Columns;

/// <summary>Throughput in MiB/s: <see cref="BytesPerOperationAttribute"/> bytes divided by the mean time of one operation.</summary>
public sealed class MebibytesPerSecondColumn : IColumn
{
    public string Id => nameof(MebibytesPerSecondColumn);
    public string ColumnName => "MiB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Payload MiB processed per second (bytes per operation / Mean)";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => BytesPerOperation(c) is not null);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (BytesPerOperation(benchmarkCase) is not { } bytes || meanNanoseconds is not > 0)
        {
            return "-";
        }

        var mebibytesPerSecond = bytes / (1024.0 * 1024.0) / (meanNanoseconds.Value / 1e9);
        return mebibytesPerSecond.ToString("N0", CultureInfo.InvariantCulture);
    }

    private static long? BytesPerOperation(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Descriptor.Type.GetCustomAttribute<BytesPerOperationAttribute>()?.Bytes;

    public override string ToString() => ColumnName;
}
