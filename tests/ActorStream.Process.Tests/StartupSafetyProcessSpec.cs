using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ActorStream.Process.Tests.Support;

namespace ActorStream.Process.Tests;

/// <summary>
/// What a node refuses at start, with real <c>actorstream node</c> processes: a data dir another node process holds
/// (Kafka's log dir <c>.lock</c>), an empty data dir for a node id the journal knows, a node id a running member already
/// registered, a port that is taken. Each refusal is one line on stderr and a non-zero exit, and the node already
/// running keeps serving. Nodes take free ports (<c>--port 0</c>) and advertise the bound one.
/// </summary>
public sealed class StartupSafetyProcessSpec : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-process", Guid.NewGuid().ToString("N"));
    private readonly List<CliProcess> _processes = [];

    public StartupSafetyProcessSpec() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private string Journal => "sqlite:" + Path.Combine(_dir, "metadata.db");

    private static string[] NodeArgs(string data, string journal, int nodeId = 0, int port = 0, params string[] more) =>
    [
        "node", "start", "--port", port.ToString(CultureInfo.InvariantCulture), "--kafka-port", "0",
        "--node-id", nodeId.ToString(CultureInfo.InvariantCulture), "--data", data, "--journal", journal, .. more,
    ];

    private async Task<CliProcess> StartNodeAsync(params string[] args)
    {
        var node = await CliProcess.StartAsync(_dir, "is up", CommandTimeout, args);
        _processes.Add(node);
        return node;
    }

    private Task<string> RunOkAsync(string? stdin, params string[] args) => CliProcess.RunOkAsync(_dir, CommandTimeout, stdin, args);

    /// <summary>Runs a node start that must be refused: non-zero exit and exactly one <c>error: </c> line on stderr.</summary>
    private async Task<string> RunRefusedAsync(string workingDirectory, params string[] args)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(workingDirectory, CommandTimeout, null, args);
        Assert.True(exit != 0, $"actorstream {string.Join(' ', args)} must be refused, but exited 0: {stdout}");
        var errorLines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.True(errorLines.Count == 1, $"exactly one error line expected on stderr, got: {stderr}");
        return errorLines[0];
    }

    private static string Bootstrap(CliProcess node) => "127.0.0.1:" + node.BoundPort.ToString(CultureInfo.InvariantCulture);

    private async Task<List<string>> ConsumeAsync(string bootstrap, string topic, int count)
    {
        var consumed = await RunOkAsync(null, "consume", "--bootstrap-server", bootstrap, "--topic", topic, "--from-beginning", "--max-messages", count.ToString(CultureInfo.InvariantCulture), "--timeout-ms", "30000");
        return [.. consumed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    [Fact]
    public async Task A_second_node_on_the_data_dir_of_a_running_one_must_exit_at_once_and_the_first_must_keep_serving()
    {
        var data = Path.Combine(_dir, "data");
        var first = await StartNodeAsync(NodeArgs(data, Journal));
        var bootstrap = Bootstrap(first);
        await RunOkAsync(null, "topics", "create", "--bootstrap-server", bootstrap, "--topic", "locked", "--partitions", "2");
        await RunOkAsync("a\nb\n", "produce", "--bootstrap-server", bootstrap, "--topic", "locked");

        // Even with the same journal: the lock is taken before the journal or anything in the data dir is opened.
        var error = await RunRefusedAsync(_dir, NodeArgs(data, Journal, nodeId: 0, port: 0));
        Assert.Equal($"error: Failed to acquire lock on file .lock in {data}: another ActorStream node process is using this data dir", error);

        var partitionDirs = Directory.GetDirectories(Path.Combine(data, "logs"));
        Assert.Equal(2, partitionDirs.Length);
        Assert.All(partitionDirs, d => Assert.False(File.Exists(Path.Combine(d, ".clean-shutdown")), $"{d} has a .clean-shutdown marker while its node runs"));
        await RunOkAsync("c\n", "produce", "--bootstrap-server", bootstrap, "--topic", "locked");
        Assert.Equal(["a", "b", "c"], (await ConsumeAsync(bootstrap, "locked", 3)).Order());
    }

    [Fact]
    public async Task After_kill_9_a_new_node_on_the_same_data_dir_must_start()
    {
        var data = Path.Combine(_dir, "data");
        var first = await StartNodeAsync(NodeArgs(data, Journal));
        await RunOkAsync("kept\n", "produce", "--bootstrap-server", Bootstrap(first), "--topic", "crashed");
        first.Kill();

        var second = await StartNodeAsync(NodeArgs(data, Journal));
        Assert.Equal(["kept"], await ConsumeAsync(Bootstrap(second), "crashed", 1));
    }

    [Fact]
    public async Task An_empty_data_dir_for_a_node_id_the_journal_knows_must_be_refused_unless_accepted()
    {
        var first = await StartNodeAsync(NodeArgs(Path.Combine(_dir, "data"), Journal));
        await RunOkAsync("kept\n", "produce", "--bootstrap-server", Bootstrap(first), "--topic", "known");
        Assert.Equal(0, await first.TerminateAsync(CommandTimeout));

        // Started from another working directory with a relative --data: the message names the absolute data dir.
        var elsewhere = Directory.CreateDirectory(Path.Combine(_dir, "elsewhere")).FullName;
        var error = await RunRefusedAsync(elsewhere, NodeArgs("./data", Journal));
        var emptyDir = Path.Combine(elsewhere, "data");
        Assert.Contains($"The data dir {emptyDir} has no meta.properties", error, StringComparison.Ordinal);
        Assert.Contains($"the journal {Journal} already knows node 0", error, StringComparison.Ordinal);
        Assert.Contains("--accept-empty-data-dir", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(emptyDir, "meta.properties")), "a refused node must not claim the data dir");

        // meta.properties deleted from the node's own data dir: the same refusal.
        File.Delete(Path.Combine(_dir, "data", "meta.properties"));
        error = await RunRefusedAsync(_dir, NodeArgs(Path.Combine(_dir, "data"), Journal));
        Assert.Contains($"The data dir {Path.Combine(_dir, "data")} has no meta.properties", error, StringComparison.Ordinal);

        var accepted = await StartNodeAsync(NodeArgs(emptyDir, Journal, more: "--accept-empty-data-dir"));
        Assert.True(File.Exists(Path.Combine(emptyDir, "meta.properties")));
        await RunOkAsync(null, "topics", "describe", "--bootstrap-server", Bootstrap(accepted), "--topic", "known");
    }

    [Fact]
    public async Task A_second_node_with_the_same_node_id_must_be_refused_while_the_first_is_a_member()
    {
        var first = await StartNodeAsync(NodeArgs(Path.Combine(_dir, "first"), Journal));
        var bootstrap = Bootstrap(first);
        await RunOkAsync("before\n", "produce", "--bootstrap-server", bootstrap, "--topic", "dup-id");

        var error = await RunRefusedAsync(_dir, NodeArgs(Path.Combine(_dir, "second"), Journal, more: ["--seed", bootstrap]));
        Assert.Equal(
            $"error: Node id 0 is already registered by a running cluster member at {bootstrap} (DUPLICATE_BROKER_REGISTRATION): give this node another --node-id, or stop that node first",
            error);

        await RunOkAsync("after\n", "produce", "--bootstrap-server", bootstrap, "--topic", "dup-id");
        Assert.Equal(["before", "after"], await ConsumeAsync(bootstrap, "dup-id", 2));
    }

    [Fact]
    public async Task A_node_on_a_taken_port_must_fail_at_start_with_one_line()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var error = await RunRefusedAsync(_dir, NodeArgs(Path.Combine(_dir, "data"), Journal, port: port));
        Assert.StartsWith($"error: Port {port} on 127.0.0.1 (actorstream.broker.port) is not available", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "data", "logs")));
    }

    [Fact]
    public async Task A_node_on_port_0_must_advertise_its_bound_port()
    {
        var node = await StartNodeAsync(NodeArgs(Path.Combine(_dir, "data"), Journal));
        Assert.NotEqual(0, node.BoundPort);
        var bootstrap = Bootstrap(node);
        // The producer and consumer reach the partition leader at the address the metadata advertises.
        await RunOkAsync(null, "topics", "create", "--bootstrap-server", bootstrap, "--topic", "bound", "--partitions", "1");
        await RunOkAsync("x\n", "produce", "--bootstrap-server", bootstrap, "--topic", "bound");
        Assert.Equal(["x"], await ConsumeAsync(bootstrap, "bound", 1));
        Assert.DoesNotContain(":0,", node.Stdout, StringComparison.Ordinal);
    }
}
