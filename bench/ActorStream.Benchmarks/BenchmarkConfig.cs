using ActorStream.Benchmarks.Columns;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ActorStream.Benchmarks;

/// <summary>The one configuration every benchmark class runs with, so all results come from the same process and job.</summary>
public static class BenchmarkConfig
{
    public static IConfig Create() =>
        ManualConfig.CreateEmpty()
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(DefaultConfig.Instance.GetLoggers().ToArray())
            .AddAnalyser(DefaultConfig.Instance.GetAnalysers().ToArray())
            .AddValidator(DefaultConfig.Instance.GetValidators().ToArray())
            // In-process: no generated project to build and restore, and every class shares one warmed-up runtime.
            // ShortRun's 3 iterations are too few on a noisy 2-core machine; 15 keep the whole suite near 5 minutes.
            .AddJob(Job.ShortRun
                .WithToolchain(InProcessEmitToolchain.Instance)
                // 10 warmups: tiered compilation promotes the hot append and CRC loops only after several iterations.
                .WithWarmupCount(10)
                .WithIterationCount(15)
                .WithId("ShortInProcess"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(new MebibytesPerSecondColumn(), new CompressionRatioColumn())
            .AddExporter(MarkdownExporter.GitHub);
}
