using System.Globalization;
using System.Text;

namespace ActorStream.Bench.Report;

/// <summary>The suite's one table, as Markdown (readable in a terminal, pasted as is into the README).</summary>
internal static class ResultTable
{
    private static readonly string[] Header =
        ["workload", "system", "records/s", "MB/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "broker CPU s / M records", "broker peak RSS MiB", "of limit", "an ack means"];

    public static string Format(IReadOnlyList<ResultRow> rows)
    {
        var lines = new List<string[]> { Header };
        lines.AddRange(rows.Select(Cells));
        var widths = Enumerable.Range(0, Header.Length).Select(c => lines.Max(l => l[c].Length)).ToArray();
        var text = new StringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            text.Append('|');
            for (var c = 0; c < Header.Length; c++)
            {
                var numeric = c is >= 2 and <= 9;
                text.Append(' ').Append(numeric ? lines[i][c].PadLeft(widths[c]) : lines[i][c].PadRight(widths[c])).Append(" |");
            }

            text.AppendLine();
            if (i == 0)
            {
                text.Append('|');
                for (var c = 0; c < Header.Length; c++)
                {
                    text.Append(c is >= 2 and <= 9 ? new string('-', widths[c] + 1) + ':' : new string('-', widths[c] + 2)).Append('|');
                }

                text.AppendLine();
            }
        }

        return text.ToString();
    }

    internal static string[] Cells(ResultRow row)
    {
        if (row.Error is not null)
        {
            return [row.Workload, row.System, "failed: " + row.Error.ReplaceLineEndings(" "), "", "", "", "", "", "", "", "", row.Ack];
        }

        var latency = row.Latency;
        return
        [
            row.Workload,
            row.System,
            Number(row.RecordsPerSecond, 0),
            Number(row.MegabytesPerSecond, 1),
            latency is null ? "" : Number(latency.P50Ms, 2),
            latency is null ? "" : Number(latency.P99Ms, 2),
            latency is null ? "" : Number(latency.P999Ms, 2),
            latency is null ? "" : Number(latency.MaxMs, 2),
            row.BrokerCpuSecondsPerMillionRecords is { } cpu ? Number(cpu, 1) : "",
            row.BrokerPeakRssMiB is { } rss ? Number(rss, 0) : "",
            row.OfLimit ?? "",
            row.Ack,
        ];
    }

    private static string Number(double value, int decimals) => value.ToString("N" + decimals, CultureInfo.InvariantCulture);
}
