using ActorStream.Process.Tests.Support;

namespace ActorStream.Process.Tests;

/// <summary><c>consume --group</c> in child processes: a second run resumes where the first stopped; <c>groups</c> shows the lag.</summary>
public sealed class ConsumerGroupProcessSpec : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-process", Guid.NewGuid().ToString("N"));
    private readonly List<CliProcess> _processes = [];

    public ConsumerGroupProcessSpec() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private Task<string> RunOkAsync(string? stdin, params string[] args) => CliProcess.RunOkAsync(_dir, CommandTimeout, stdin, args);

    [Fact]
    public async Task Consume_with_a_group_twice_must_resume_where_the_first_run_stopped()
    {
        var node = await CliProcess.StartAsync(_dir, "is up", CommandTimeout, "node", "start", "--port", "0", "--kafka-port", "0", "--data", Path.Combine(_dir, "data"));
        _processes.Add(node);
        var bootstrap = $"127.0.0.1:{node.BoundPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        await RunOkAsync(null, "topics", "create", "--bootstrap-server", bootstrap, "--topic", "grouped", "--partitions", "1");
        var lines = Enumerable.Range(0, 10).Select(i => $"r{i}").ToList();
        await RunOkAsync(string.Join('\n', lines) + "\n", "produce", "--bootstrap-server", bootstrap, "--topic", "grouped");

        var first = await RunOkAsync(null, "consume", "--bootstrap-server", bootstrap, "--topic", "grouped", "--group", "cli-group", "--from-beginning", "--max-messages", "4", "--timeout-ms", "30000");
        Assert.Equal(lines.Take(4), first.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var described = await RunOkAsync(null, "groups", "describe", "--bootstrap-server", bootstrap, "--group", "cli-group");
        var row = described.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.StartsWith("cli-group", StringComparison.Ordinal));
        Assert.Equal(["cli-group", "grouped", "0", "4", "10", "6", "-"], row.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        var second = await RunOkAsync(null, "consume", "--bootstrap-server", bootstrap, "--topic", "grouped", "--group", "cli-group", "--from-beginning", "--max-messages", "6", "--timeout-ms", "30000");
        Assert.Equal(lines.Skip(4), second.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        Assert.Contains("cli-group", (await RunOkAsync(null, "groups", "list", "--bootstrap-server", bootstrap)).Split('\n', StringSplitOptions.TrimEntries));
        await RunOkAsync(null, "groups", "delete", "--bootstrap-server", bootstrap, "--group", "cli-group");
        Assert.DoesNotContain("cli-group", (await RunOkAsync(null, "groups", "list", "--bootstrap-server", bootstrap)).Split('\n', StringSplitOptions.TrimEntries));
    }
}
