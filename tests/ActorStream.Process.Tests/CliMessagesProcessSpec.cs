using System.Globalization;
using ActorStream.Process.Tests.Support;

namespace ActorStream.Process.Tests;

/// <summary>
/// What the real node and CLI print: the node's ready line alone on stdout and nothing on stderr while clients come
/// and go; one <c>error: ...</c> line on stderr for a bad command line or a refused request, without .NET internals;
/// consumers on an unknown topic with <c>auto.create.topics.enable</c> on and off; and the Kafka tool options
/// (<c>--if-not-exists</c>, <c>--all-topics</c>, <c>perf consume --group</c>, <c>print.headers</c>). Many commands share one
/// node start each, since a start costs seconds.
/// </summary>
public sealed class CliMessagesProcessSpec : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-process", Guid.NewGuid().ToString("N"));
    private readonly List<CliProcess> _processes = [];

    public CliMessagesProcessSpec() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(CliProcess Node, string Bootstrap)> StartNodeAsync(params string[] extra)
    {
        var port = CliProcess.FreePort();
        var node = await CliProcess.StartAsync(_dir, "is up", CommandTimeout, ["node", "start", "--port", port.ToString(CultureInfo.InvariantCulture), "--data", Path.Combine(_dir, "data"), .. extra]);
        _processes.Add(node);
        return (node, $"127.0.0.1:{port}");
    }

    private async Task<string> RunOkAsync(string? stdin, params string[] args)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(_dir, CommandTimeout, stdin, args);
        Assert.True(exit == 0, $"actorstream {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout;
    }

    /// <summary>Runs a command that must fail, and returns its one stderr line (asserting there is exactly one, an error).</summary>
    private async Task<string> RunFailingAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(_dir, CommandTimeout, null, args);
        Assert.True(exit != 0, $"actorstream {string.Join(' ', args)} succeeded: {stdout}");
        var lines = Lines(stderr);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), $"actorstream {string.Join(' ', args)} wrote to stderr:\n{stderr}");
        Assert.Equal("", stdout);
        Assert.DoesNotContain("System.", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", lines[0], StringComparison.Ordinal);
        return lines[0];
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string[] Row(string table, string first) =>
        Lines(table).Single(l => l.StartsWith(first + " ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task The_node_must_print_only_its_ready_line_and_the_cli_one_line_errors_and_kafkas_tool_options()
    {
        var (node, bootstrap) = await StartNodeAsync();
        var server = new[] { "--bootstrap-server", bootstrap };

        // The ready line is all the node printed: no Akka INFO before it, and nothing on stderr.
        Assert.Equal([node.Stdout.Trim()], Lines(node.Stdout));
        Assert.Contains(" is up: bootstrap ", node.Stdout, StringComparison.Ordinal);

        // Usage errors: one line on stderr, no help dump on stdout, no .NET type names.
        Assert.Equal("error: --max-messages: 'abc' is not an integer (see 'actorstream consume --help')", await RunFailingAsync(["consume", .. server, "--topic", "t", "--max-messages", "abc"]));
        Assert.Contains("'--bogus'", await RunFailingAsync(["consume", .. server, "--topic", "t", "--bogus"]), StringComparison.Ordinal);
        Assert.Contains("--topic", await RunFailingAsync(["topics", "create", .. server]), StringComparison.Ordinal);

        // Topic configs: accepted ones are listed in the unknown-config error, and describe shows what was set.
        await RunOkAsync(null, ["topics", "create", .. server, "--topic", "orders", "--partitions", "1", "--config", "min.insync.replicas=1", "--config", "retention.ms=60000"]);
        var unknownConfig = await RunFailingAsync(["topics", "create", .. server, "--topic", "other", "--config", "retention.msec=1"]);
        foreach (var known in new[] { "min.insync.replicas", "unclean.leader.election.enable", "cleanup.policy", "retention.ms" })
        {
            Assert.Contains(known, unknownConfig, StringComparison.Ordinal);
        }

        Assert.Contains("\tConfigs: min.insync.replicas=1,retention.ms=60000", await RunOkAsync(null, ["topics", "describe", .. server, "--topic", "orders"]), StringComparison.Ordinal);

        // An admin error names the topic once, without a "[orders--1]" partition suffix; --if-not-exists makes it a no-op.
        var exists = await RunFailingAsync(["topics", "create", .. server, "--topic", "orders"]);
        Assert.StartsWith("error: Cannot create topic 'orders': Topic 'orders' already exists", exists, StringComparison.Ordinal);
        Assert.DoesNotContain("--1]", exists, StringComparison.Ordinal);
        Assert.DoesNotContain("--1]", await RunFailingAsync(["topics", "create", .. server, "--topic", "a/b"]), StringComparison.Ordinal);
        Assert.Equal("", await RunOkAsync(null, ["topics", "create", .. server, "--topic", "orders", "--if-not-exists"]));

        // --property: print.headers as kafka-console-consumer prints it; unknown names are refused on both tools.
        await RunOkAsync("r0\nr1\nr2\nr3\n", ["produce", .. server, "--topic", "orders"]);
        Assert.Equal(["Offset:0\tNO_HEADERS\tr0", "Offset:1\tNO_HEADERS\tr1"],
            Lines(await RunOkAsync(null, ["consume", .. server, "--topic", "orders", "--from-beginning", "--max-messages", "2", "--property", "print.headers=true", "--property", "print.offset=true"])));
        Assert.Contains("'print.keys'", await RunFailingAsync(["consume", .. server, "--topic", "orders", "--property", "print.keys=true"]), StringComparison.Ordinal);
        Assert.Contains("'parse.keys'", await RunFailingAsync(["produce", .. server, "--topic", "orders", "--property", "parse.keys=true"]), StringComparison.Ordinal);

        // perf consume --group reads as a group member: the group exists afterwards.
        var perf = await RunOkAsync(null, ["perf", "consume", .. server, "--topic", "orders", "--messages", "4", "--group", "perf-group"]);
        Assert.Equal("4", Lines(perf)[1].Split(", ")[4]);
        Assert.Contains("perf-group", Lines(await RunOkAsync(null, ["groups", "list", .. server])));

        // reset-offsets --all-topics: every partition the group committed.
        await RunOkAsync(null, ["consume", .. server, "--topic", "orders", "--group", "reader", "--from-beginning", "--max-messages", "3", "--timeout-ms", "30000"]);
        Assert.Equal(["reader", "orders", "0", "3", "4", "1", "-"], Row(await RunOkAsync(null, ["groups", "describe", .. server, "--group", "reader"]), "reader"));
        Assert.Equal(["reader", "orders", "0", "0"], Row(await RunOkAsync(null, ["groups", "reset-offsets", .. server, "--group", "reader", "--all-topics", "--to-earliest", "--execute"]), "reader"));
        Assert.Equal(["reader", "orders", "0", "0", "4", "4", "-"], Row(await RunOkAsync(null, ["groups", "describe", .. server, "--group", "reader"]), "reader"));

        // auto.create.topics.enable is on here: a consumer with or without --group creates the topic and waits for records.
        foreach (var (topic, group) in new[] { ("auto-grouped", new[] { "--group", "auto" }), ("auto-assigned", Array.Empty<string>()) })
        {
            var (exit, _, stderr) = await CliProcess.RunAsync(_dir, CommandTimeout, null, ["consume", .. server, "--topic", topic, "--timeout-ms", "1500", .. group]);
            Assert.True(exit == 0, stderr);
            Assert.Contains("Processed a total of 0 messages", stderr, StringComparison.Ordinal);
        }

        Assert.Superset(new HashSet<string> { "auto-grouped", "auto-assigned" }, Lines(await RunOkAsync(null, ["topics", "list", .. server])).ToHashSet());

        // Every client above connected and exited (group members included): none of that is a warning or an error.
        Assert.Equal("", node.Stderr);
        Assert.Equal([node.Stdout.Trim()], Lines(node.Stdout));
    }

    [Fact]
    public async Task Without_auto_create_consumers_must_fail_on_an_unknown_topic_and_log_level_must_turn_detail_back_on()
    {
        var config = Path.Combine(_dir, "no-auto-create.conf");
        await File.WriteAllTextAsync(config, "actorstream.broker.auto-create-topics-enable = off\n");
        var (node, bootstrap) = await StartNodeAsync("--config", config, "--log-level", "INFO");

        // --log-level INFO: Akka's and ActorStream's own INFO lines, on stderr; stdout still carries only the ready line.
        Assert.Equal([node.Stdout.Trim()], Lines(node.Stdout));
        Assert.Contains("[INFO]", node.Stderr, StringComparison.Ordinal);
        Assert.Contains("[Controller] Recovered", node.Stderr, StringComparison.Ordinal);

        foreach (var group in new[] { new[] { "--group", "g" }, Array.Empty<string>() })
        {
            var started = DateTime.UtcNow;
            var error = await RunFailingAsync(["consume", "--bootstrap-server", bootstrap, "--topic", "missing", "--timeout-ms", "600000", .. group]);
            Assert.StartsWith("error: unknown topic missing", error, StringComparison.Ordinal);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), $"consume {string.Join(' ', group)} took {DateTime.UtcNow - started} to fail");
        }

        Assert.DoesNotContain("missing", Lines(await RunOkAsync(null, "topics", "list", "--bootstrap-server", bootstrap)));

        // A client's --log-level shows its Akka detail on stderr, its output stays on stdout.
        var (exit, stdout, stderr) = await CliProcess.RunAsync(_dir, CommandTimeout, null, "topics", "list", "--bootstrap-server", bootstrap, "--log-level", "INFO");
        Assert.Equal(0, exit);
        Assert.Equal("", stdout);
        Assert.Contains("[INFO]", stderr, StringComparison.Ordinal);
    }
}
