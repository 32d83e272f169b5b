using System.Globalization;
using ActorStream.Process.Tests.Support;
using ActorStream.TestKit;

namespace ActorStream.Process.Tests;

/// <summary>
/// Issue 11, item 2: a node whose partition directories are gone (meta.properties and the journal kept) must not serve the
/// partitions as empty. With no other in-sync replica the partition stays offline, with an error naming the partition, the
/// missing offsets and the directory, and the journal keeps its facts; with <c>unclean.leader.election.enable=true</c> the
/// node leads from what it has (offset 0) and logs what was lost.
/// </summary>
public sealed class LostPartitionLogProcessSpec : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-process", Guid.NewGuid().ToString("N"));
    private readonly string _data;
    private readonly List<CliProcess> _processes = [];

    public LostPartitionLogProcessSpec()
    {
        Directory.CreateDirectory(_dir);
        _data = Path.Combine(_dir, "data");
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Starts the node on <paramref name="port"/> (0 the first time: any free port; restarts reuse the bound one).</summary>
    private async Task<CliProcess> StartNodeAsync(int port)
    {
        var node = await CliProcess.StartAsync(_dir, "is up", CommandTimeout, "node", "start", "--port", port.ToString(CultureInfo.InvariantCulture), "--kafka-port", "0", "--data", _data);
        _processes.Add(node);
        return node;
    }

    private Task<string> RunOkAsync(string? stdin, params string[] args) => CliProcess.RunOkAsync(_dir, CommandTimeout, stdin, args);

    /// <summary>Waits until <c>topics describe</c> shows "safe" without a leader and "unclean" led by node 0.</summary>
    private async Task AwaitPartitionStatesAsync(string bootstrap, CliProcess node)
    {
        var last = "";
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                last = await RunOkAsync(null, "topics", "describe", "--bootstrap-server", bootstrap);
                return last.Contains("Topic: safe\tPartition: 0\tLeader: none", StringComparison.Ordinal)
                    && last.Contains("Topic: unclean\tPartition: 0\tLeader: 0", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"topics describe never showed safe-0 offline and unclean-0 led by node 0; last: {last}\nnode: {node.Stdout}\n{node.Stderr}");
        }
    }

    private static string OfflineError(CliProcess node) =>
        (node.Stdout + node.Stderr).Split('\n').FirstOrDefault(l => l.Contains("Partition safe-0 is offline", StringComparison.Ordinal)) ?? "";

    [Fact]
    public async Task A_partition_whose_log_is_gone_must_stay_offline_unless_unclean_leader_election_is_enabled()
    {
        var node = await StartNodeAsync(0);
        var port = node.BoundPort;
        var bootstrap = $"127.0.0.1:{port}";
        await RunOkAsync(null, "topics", "create", "--bootstrap-server", bootstrap, "--topic", "safe", "--partitions", "1");
        await RunOkAsync(null, "topics", "create", "--bootstrap-server", bootstrap, "--topic", "unclean", "--partitions", "1", "--config", "unclean.leader.election.enable=true");
        const int count = 64;
        var lines = string.Join('\n', Enumerable.Range(0, count).Select(i => $"record-{i}")) + "\n";
        await RunOkAsync(lines, "produce", "--bootstrap-server", bootstrap, "--topic", "safe", "--producer-property", "acks=all");
        await RunOkAsync(lines, "produce", "--bootstrap-server", bootstrap, "--topic", "unclean", "--producer-property", "acks=all");

        // A clean stop (the leader checkpoints its high watermark), then the partition directories vanish; meta.properties
        // and the journal stay.
        Assert.Equal(0, await node.TerminateAsync(TimeSpan.FromSeconds(60)));
        var logs = Path.Combine(_data, "logs");
        var safeDir = Directory.GetDirectories(logs, "safe-0-*").Single();
        var uncleanDir = Directory.GetDirectories(logs, "unclean-0-*").Single();
        Directory.Delete(safeDir, recursive: true);
        Directory.Delete(uncleanDir, recursive: true);
        Assert.True(File.Exists(Path.Combine(_data, "meta.properties")));

        node = await StartNodeAsync(port);
        await AwaitPartitionStatesAsync(bootstrap, node);
        await Eventually.TrueAsync(() => OfflineError(node).Length > 0, TimeSpan.FromSeconds(30), "the offline error in the node's log");
        var error = OfflineError(node);
        Assert.Contains("ERROR", error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"[0, {count})", error, StringComparison.Ordinal);
        Assert.Contains(safeDir, error, StringComparison.Ordinal);

        // Clients get an error, not an empty partition.
        var (exit, _, stderr) = await CliProcess.RunAsync(_dir, CommandTimeout, "lost?\n", "produce", "--bootstrap-server", bootstrap, "--topic", "safe",
            "--producer-property", "delivery.timeout.ms=5000", "--producer-property", "request.timeout.ms=3000");
        Assert.NotEqual(0, exit);
        Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
        var (consumeExit, consumed, consumeStderr) = await CliProcess.RunAsync(_dir, CommandTimeout, null, "consume", "--bootstrap-server", bootstrap, "--topic", "safe",
            "--from-beginning", "--timeout-ms", "5000", "--consumer-property", "request.timeout.ms=3000");
        Assert.True(consumeExit != 0, $"consume of the offline partition exited 0: {consumed} {consumeStderr}");
        Assert.Empty(consumed.Trim());

        // Unclean leader election on: the node leads from what it has, offset 0, and says what was lost.
        await RunOkAsync("after\n", "produce", "--bootstrap-server", bootstrap, "--topic", "unclean");
        var tail = await RunOkAsync(null, "consume", "--bootstrap-server", bootstrap, "--topic", "unclean", "--from-beginning", "--max-messages", "1", "--timeout-ms", "30000", "--property", "print.offset=true");
        Assert.Equal("Offset:0\tafter", tail.Trim());
        Assert.Contains("Unclean leader election", node.Stdout + node.Stderr, StringComparison.Ordinal);

        // The journal's facts survived: after another restart the same offsets are still missing.
        Assert.Equal(0, await node.TerminateAsync(TimeSpan.FromSeconds(60)));
        node = await StartNodeAsync(port);
        await AwaitPartitionStatesAsync(bootstrap, node);
        await Eventually.TrueAsync(() => OfflineError(node).Contains($"[0, {count})", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the same offline error again");
    }
}
