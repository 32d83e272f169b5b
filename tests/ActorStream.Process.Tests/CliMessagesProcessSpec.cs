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
        var node = await CliProcess.StartAsync(_dir, "is up", CommandTimeout, ["node", "start", "--port", "0", "--kafka-port", "0", "--data", Path.Combine(_dir, "data"), .. extra]);
        _processes.Add(node);
        return (node, $"127.0.0.1:{node.BoundPort}");
    }

    private Task<string> RunOkAsync(string? stdin, params string[] args) => CliProcess.RunOkAsync(_dir, CommandTimeout, stdin, args);

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

        // Independent commands run side by side (each CLI process costs seconds on a busy machine).
        var badNumber = RunFailingAsync(["consume", .. server, "--topic", "t", "--max-messages", "abc"]);
        var badOption = RunFailingAsync(["consume", .. server, "--topic", "t", "--bogus"]);
        var badProperty = RunFailingAsync(["consume", .. server, "--topic", "t", "--property", "print.keys=true"]);
        var badReaderProperty = RunFailingAsync(["produce", .. server, "--topic", "t", "--property", "parse.keys=true"]);
        var unknownHost = RunFailingAsync(["topics", "list", "--bootstrap-server", "no-such-host.invalid:4053"]);
        // auto.create.topics.enable is on here: a consumer with or without --group creates the topic and waits for records.
        var autoCreated = new[] { ("auto-grouped", new[] { "--group", "auto" }), ("auto-assigned", Array.Empty<string>()) }
            .Select(c => CliProcess.RunAsync(_dir, CommandTimeout, null, ["consume", .. server, "--topic", c.Item1, "--timeout-ms", "1500", .. c.Item2]))
            .ToList();
        await RunOkAsync(null, ["topics", "create", .. server, "--topic", "orders", "--partitions", "1", "--config", "min.insync.replicas=1", "--config", "retention.ms=60000"]);
        var unknownConfig = RunFailingAsync(["topics", "create", .. server, "--topic", "other", "--config", "retention.msec=1"]);
        var describe = RunOkAsync(null, ["topics", "describe", .. server, "--topic", "orders"]);
        var exists = RunFailingAsync(["topics", "create", .. server, "--topic", "orders"]);
        var ifNotExists = RunOkAsync(null, ["topics", "create", .. server, "--topic", "orders", "--if-not-exists"]);
        await RunOkAsync("r0\nr1\nr2\nr3\n", ["produce", .. server, "--topic", "orders"]);
        var headers = RunOkAsync(null, ["consume", .. server, "--topic", "orders", "--from-beginning", "--max-messages", "2", "--property", "print.headers=true", "--property", "print.offset=true"]);
        var perf = RunOkAsync(null, ["perf", "consume", .. server, "--topic", "orders", "--messages", "4", "--group", "perf-group"]);
        var reader = RunOkAsync(null, ["consume", .. server, "--topic", "orders", "--group", "reader", "--from-beginning", "--max-messages", "3", "--timeout-ms", "30000"]);

        // Usage errors: one line on stderr, no help dump on stdout, no .NET type names (RunFailingAsync checks).
        Assert.Equal("error: --max-messages: 'abc' is not an integer (see 'actorstream consume --help')", await badNumber);
        Assert.Contains("'--bogus'", await badOption, StringComparison.Ordinal);
        // --property: unknown names are refused on both tools.
        Assert.Contains("'print.keys'", await badProperty, StringComparison.Ordinal);
        Assert.Contains("'parse.keys'", await badReaderProperty, StringComparison.Ordinal);
        // A bootstrap host that does not resolve: the CLI's own line, not Akka's warnings with a DNS stack trace.
        Assert.Contains("no-such-host.invalid", await unknownHost, StringComparison.Ordinal);

        // Topic configs: accepted ones are listed in the unknown-config error, and describe shows what was set.
        foreach (var known in new[] { "min.insync.replicas", "unclean.leader.election.enable", "cleanup.policy", "retention.ms" })
        {
            Assert.Contains(known, await unknownConfig, StringComparison.Ordinal);
        }

        Assert.Contains("\tConfigs: min.insync.replicas=1,retention.ms=60000", await describe, StringComparison.Ordinal);

        // An admin error names the topic once, without a "[orders--1]" partition suffix; --if-not-exists makes it a no-op.
        Assert.Equal("error: Cannot create topic 'orders': Topic 'orders' already exists (TopicAlreadyExists, error code 36)", await exists);
        Assert.Equal("", await ifNotExists);

        // print.headers as kafka-console-consumer prints it (after the offset, before the value).
        Assert.Equal(["Offset:0\tNO_HEADERS\tr0", "Offset:1\tNO_HEADERS\tr1"], Lines(await headers));

        // perf consume --group reads as a group member: the group exists afterwards.
        Assert.Equal("4", Lines(await perf)[1].Split(", ")[4]);
        await reader;
        var groups = RunOkAsync(null, ["groups", "list", .. server]);
        // reset-offsets --all-topics: every partition the group committed (reader committed 3 of orders-0).
        var reset = RunOkAsync(null, ["groups", "reset-offsets", .. server, "--group", "reader", "--all-topics", "--to-earliest", "--execute"]);
        foreach (var (exit, _, stderr) in await Task.WhenAll(autoCreated))
        {
            Assert.True(exit == 0, stderr);
            Assert.Contains("Processed a total of 0 messages", stderr, StringComparison.Ordinal);
        }

        var topics = RunOkAsync(null, ["topics", "list", .. server]);
        Assert.Contains("perf-group", Lines(await groups));
        Assert.Equal(["reader", "orders", "0", "0"], Row(await reset, "reader"));
        Assert.Equal(["reader", "orders", "0", "0", "4", "4", "-"], Row(await RunOkAsync(null, ["groups", "describe", .. server, "--group", "reader"]), "reader"));
        Assert.Superset(new HashSet<string> { "auto-grouped", "auto-assigned" }, Lines(await topics).ToHashSet());

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
