using ActorStream.Benchmarks;
using BenchmarkDotNet.Running;

// Run everything:  dotnet run -c Release --project bench/ActorStream.Benchmarks -- --filter '*'
// One class:       dotnet run -c Release --project bench/ActorStream.Benchmarks -- --filter '*Compression*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchmarkConfig.Create());
