using System.Globalization;

namespace ActorStream.Process.Tests.Support;

/// <summary>
/// <c>actorstream node</c> processes of one cluster on loopback: one shared SQLite journal and a data directory per node.
/// Every node takes a free port at its first start (<c>--port 0</c>, the bound port read from its ready line) and keeps it
/// for its restarts, so a restarted node comes back on its own address. Node 0 forms the cluster; the others join
/// through it, and a restarted node through every other node (never itself: a first seed listing itself could form a
/// cluster of its own), so any of them can crash and rejoin. The Kafka port is 0 too, so nodes never collide on 9092.
/// </summary>
public sealed class ProcessCluster : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _dir;
    private readonly int[] _ports;
    private readonly CliProcess?[] _nodes;
    private readonly List<CliProcess> _everyProcess = [];

    public ProcessCluster(string dir, int size)
    {
        _dir = dir;
        _ports = new int[size];
        _nodes = new CliProcess?[size];
    }

    public int Size => _ports.Length;

    /// <summary>Every started node's <c>host:port</c>.</summary>
    public string Bootstrap => string.Join(',', _ports.Where(p => p != 0).Select(p => $"127.0.0.1:{p}"));

    /// <summary>Node 0 first (it forms the cluster), then the others together.</summary>
    public async Task StartAllAsync()
    {
        await StartAsync(0);
        await Task.WhenAll(Enumerable.Range(1, Size - 1).Select(StartAsync));
    }

    public async Task StartAsync(int nodeId)
    {
        if (_nodes[nodeId] is { HasExited: false })
        {
            throw new InvalidOperationException($"Node {nodeId} is already running");
        }

        var args = new List<string>
        {
            "node", "start",
            "--port", _ports[nodeId].ToString(CultureInfo.InvariantCulture),
            "--kafka-port", "0",
            "--node-id", nodeId.ToString(CultureInfo.InvariantCulture),
            "--data", Path.Combine(_dir, $"node-{nodeId}"),
            "--journal", "sqlite:" + Path.Combine(_dir, "journal.db"),
            // The cluster profile even for the first node, which has no seed to list.
            "--config", Path.Combine(CliProcess.RepoRoot, "hocon", "cluster-node.conf"),
        };
        foreach (var port in _ports.Where((p, i) => p != 0 && i != nodeId))
        {
            args.Add("--seed");
            args.Add($"127.0.0.1:{port}");
        }

        var node = await CliProcess.StartAsync(_dir, "is up", StartTimeout, [.. args]);
        lock (_everyProcess)
        {
            _everyProcess.Add(node);
        }

        _ports[nodeId] = node.BoundPort;
        _nodes[nodeId] = node;
    }

    /// <summary>SIGKILL: a crash, no leaving the cluster. Returns once the process is gone.</summary>
    public void Kill(int nodeId)
    {
        _nodes[nodeId]?.Kill();
        _nodes[nodeId] = null;
    }

    /// <summary>The end of what every process this cluster started wrote (for failure messages).</summary>
    public string Output()
    {
        lock (_everyProcess)
        {
            return string.Join("\n", _everyProcess.Select(p => $"--- pid {p.Pid} stderr:\n{Tail(p.Stderr)}\n--- pid {p.Pid} stdout:\n{Tail(p.Stdout)}"));
        }
    }

    private static string Tail(string text) => text.Length <= 6000 ? text : text[^6000..];

    public void Dispose()
    {
        lock (_everyProcess)
        {
            foreach (var process in _everyProcess)
            {
                process.Dispose();
            }
        }
    }
}
