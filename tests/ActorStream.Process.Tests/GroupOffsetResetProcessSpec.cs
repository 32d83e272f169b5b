using System.Globalization;
using ActorStream.Process.Tests.Support;

namespace ActorStream.Process.Tests;

/// <summary>
/// <c>groups reset-offsets</c> in child processes: a dry run changes nothing, <c>--execute</c> moves the committed
/// offset, a missing strategy is a usage error, and a group with a live consumer is refused.
/// </summary>
public sealed class GroupOffsetResetProcessSpec : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-process", Guid.NewGuid().ToString("N"));
    private readonly List<CliProcess> _processes = [];

    public GroupOffsetResetProcessSpec() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private Task<string> RunOkAsync(string? stdin, params string[] args) => CliProcess.RunOkAsync(_dir, CommandTimeout, stdin, args);

    private static string[] RowOf(string table, string group) =>
        table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.StartsWith(group, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task A_dry_run_must_change_nothing_and_execute_must_move_the_committed_offset()
    {
        var node = await CliProcess.StartAsync(_dir, "is up", CommandTimeout, "node", "start", "--port", "0", "--kafka-port", "0", "--data", Path.Combine(_dir, "data"));
        _processes.Add(node);
        var bootstrap = $"127.0.0.1:{node.BoundPort.ToString(CultureInfo.InvariantCulture)}";
        await RunOkAsync(null, "topics", "create", "--bootstrap-server", bootstrap, "--topic", "resettable", "--partitions", "1");
        var lines = Enumerable.Range(0, 10).Select(i => $"r{i}").ToList();
        await RunOkAsync(string.Join('\n', lines) + "\n", "produce", "--bootstrap-server", bootstrap, "--topic", "resettable");
        await RunOkAsync(null, "consume", "--bootstrap-server", bootstrap, "--topic", "resettable", "--group", "reset-group", "--from-beginning", "--max-messages", "10", "--timeout-ms", "30000");
        Assert.Equal(["reset-group", "resettable", "0", "10", "10", "0", "-"], RowOf(await RunOkAsync(null, "groups", "describe", "--bootstrap-server", bootstrap, "--group", "reset-group"), "reset-group"));

        string[] reset = ["groups", "reset-offsets", "--bootstrap-server", bootstrap, "--group", "reset-group", "--topic", "resettable", "--to-offset", "3"];
        var dryRun = await RunOkAsync(null, reset);
        Assert.Equal(["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"], dryRun.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["reset-group", "resettable", "0", "3"], RowOf(dryRun, "reset-group"));
        Assert.Equal(["reset-group", "resettable", "0", "10", "10", "0", "-"], RowOf(await RunOkAsync(null, "groups", "describe", "--bootstrap-server", bootstrap, "--group", "reset-group"), "reset-group"));

        var executed = await RunOkAsync(null, [.. reset, "--execute"]);
        Assert.Equal(["reset-group", "resettable", "0", "3"], RowOf(executed, "reset-group"));
        Assert.Equal(["reset-group", "resettable", "0", "3", "10", "7", "-"], RowOf(await RunOkAsync(null, "groups", "describe", "--bootstrap-server", bootstrap, "--group", "reset-group"), "reset-group"));

        var (noStrategy, _, usage) = await CliProcess.RunAsync(_dir, CommandTimeout, null, "groups", "reset-offsets", "--bootstrap-server", bootstrap, "--group", "reset-group", "--topic", "resettable");
        Assert.NotEqual(0, noStrategy);
        Assert.Contains("exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by", usage, StringComparison.Ordinal);

        // A consumer that stays in the group (no --max-messages) resumes at 3: once it printed r9 the group has a member.
        // Its periodic commit is pushed past the test, so the committed offset can only change through the (refused) reset.
        var live = await CliProcess.StartAsync(_dir, "r9", CommandTimeout, "consume", "--bootstrap-server", bootstrap, "--topic", "resettable", "--group", "reset-group", "--consumer-property", "auto.commit.interval.ms=600000");
        _processes.Add(live);
        Assert.Equal(lines.Skip(3), live.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var (busy, _, refusal) = await CliProcess.RunAsync(_dir, CommandTimeout, null, [.. reset, "--execute"]);
        Assert.NotEqual(0, busy);
        Assert.Contains("'reset-group'", refusal, StringComparison.Ordinal);
        Assert.Contains("inactive", refusal, StringComparison.Ordinal);
        Assert.Equal("3", RowOf(await RunOkAsync(null, "groups", "describe", "--bootstrap-server", bootstrap, "--group", "reset-group"), "reset-group")[3]);
    }
}
