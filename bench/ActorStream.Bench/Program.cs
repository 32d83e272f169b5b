using ActorStream.Bench;

// The benchmark suite; bench/run.sh builds it and the CLI, then runs it (see the README's "Benchmark suite").
try
{
    var options = BenchOptions.Parse(args);
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
    };
    await using var suite = new Suite(options);
    return await suite.RunAsync(cancel.Token);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 2;
}
