using ActorStream.Process.Tests.Support;

namespace ActorStream.Process.Tests;

/// <summary>
/// The real <c>actorstream</c> binary in child processes: a node killed with SIGKILL (a crash, not a shutdown)
/// must come back with every acknowledged record and every topic.
/// </summary>
public sealed class NodeCrashSpec : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-process", Guid.NewGuid().ToString("N"));
    private readonly List<CliProcess> _processes = [];

    public NodeCrashSpec() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Port 0: any free port, read back from the ready line (<see cref="CliProcess.BoundPort"/>).</summary>
    private async Task<CliProcess> StartNodeAsync(int port = 0)
    {
        var node = await CliProcess.StartAsync(_dir, "is up", CommandTimeout, "node", "start", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--kafka-port", "0", "--data", Path.Combine(_dir, "data"));
        _processes.Add(node);
        return node;
    }

    private Task<string> RunOkAsync(string? stdin, params string[] args) => CliProcess.RunOkAsync(_dir, CommandTimeout, stdin, args);

    [Fact]
    public async Task Acknowledged_records_and_topics_must_survive_kill_9()
    {
        var node = await StartNodeAsync();
        var port = node.BoundPort;
        var bootstrap = $"127.0.0.1:{port}";
        await RunOkAsync(null, "topics", "create", "--bootstrap-server", bootstrap, "--topic", "crash-test", "--partitions", "1");
        await RunOkAsync(null, "topics", "create", "--bootstrap-server", bootstrap, "--topic", "other", "--partitions", "3");

        const int count = 3000;
        var lines = Enumerable.Range(0, count).Select(i => $"record-{i}").ToList();
        // Exit status 0 means every record was acknowledged (acks=all).
        await RunOkAsync(string.Join('\n', lines) + "\n", "produce", "--bootstrap-server", bootstrap, "--topic", "crash-test", "--producer-property", "acks=all", "--producer-property", "linger.ms=5");

        node.Kill();
        var restarted = await StartNodeAsync(port);

        var topics = await RunOkAsync(null, "topics", "list", "--bootstrap-server", bootstrap);
        Assert.Equal(["crash-test", "other"], topics.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        var consumed = await RunOkAsync(null, "consume", "--bootstrap-server", bootstrap, "--topic", "crash-test", "--from-beginning", "--max-messages", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout-ms", "30000");
        Assert.Equal(lines, consumed.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // And the log keeps going at the right offset after the crash.
        await RunOkAsync("after-crash\n", "produce", "--bootstrap-server", bootstrap, "--topic", "crash-test");
        var tail = await RunOkAsync(null, "consume", "--bootstrap-server", bootstrap, "--topic", "crash-test", "--partition", "0", "--offset", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--max-messages", "1", "--timeout-ms", "30000", "--property", "print.offset=true");
        Assert.Equal($"Offset:{count}\tafter-crash", tail.Trim());

        Assert.Equal(0, await restarted.TerminateAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Bad_input_must_fail_with_a_one_line_error_and_a_non_zero_exit()
    {
        var bootstrap = $"127.0.0.1:{(await StartNodeAsync()).BoundPort}";
        var (exit, _, stderr) = await CliProcess.RunAsync(_dir, CommandTimeout, null, "topics", "create", "--bootstrap-server", bootstrap, "--topic", "bad name!");
        Assert.NotEqual(0, exit);
        Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
        Assert.Contains("bad name!", stderr, StringComparison.Ordinal);

        await RunOkAsync(null, "topics", "create", "--bootstrap-server", bootstrap, "--topic", "dup");
        (exit, _, stderr) = await CliProcess.RunAsync(_dir, CommandTimeout, null, "topics", "create", "--bootstrap-server", bootstrap, "--topic", "dup");
        Assert.NotEqual(0, exit);
        Assert.Contains("already exists", stderr, StringComparison.Ordinal);
    }
}
