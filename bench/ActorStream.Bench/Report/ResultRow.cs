using ActorStream.Bench.Measurement;

namespace ActorStream.Bench.Report;

/// <summary>One line of the table: a workload run on one system (or a physical limit).</summary>
internal sealed record ResultRow(
    string Workload,
    string System,
    string Ack,
    long Records,
    int RecordSize,
    double Seconds,
    double RecordsPerSecond,
    double MegabytesPerSecond,
    LatencySummary? Latency,
    double? BrokerCpuSecondsPerMillionRecords,
    double? BrokerPeakRssMiB,
    string? OfLimit,
    string? Error);
