using ActorStream.Storage.Log;

namespace ActorStream.Benchmarks.Workloads;

/// <summary>The shared shape of the log benchmarks: 64 MiB per operation, as exact-size batches of 16 KiB or 1 MiB.</summary>
public static class LogWorkload
{
    public const int TotalBytes = 64 * 1024 * 1024;
    public const int SmallBatchSize = 16 * 1024;
    public const int LargeBatchSize = 1024 * 1024;

    public static int BatchCount(int batchSize) => TotalBytes / batchSize;

    /// <summary>Default settings, but accepting the batch size (1 MiB batches exceed no limit, yet say so explicitly).</summary>
    public static LogConfig Config(int batchSize) =>
        LogConfig.Default with { MaxMessageBytes = Math.Max(LogConfig.Default.MaxMessageBytes, batchSize) };
}
