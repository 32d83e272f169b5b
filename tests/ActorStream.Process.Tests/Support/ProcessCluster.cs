using System.Globalization;

namespace ActorStream.Process.Tests.Support;

/// <summary>
/// <c>actorstream node</c> processes of one cluster on loopback: one shared SQLite journal, a data directory and a
/// port per node, and every node listing every node as a seed so that any of them can crash and rejoin.
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
        _ports = Enumerable.Range(0, size).Select(_ => CliProcess.FreePort()).ToArray();
        _nodes = new CliProcess?[size];
    }

    public int Size => _ports.Length;

    public string Bootstrap => string.Join(',', _ports.Select(p => $"127.0.0.1:{p}"));

    /// <summary>Node 0 first (it is the first seed and forms the cluster), then the others together.</summary>
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
            "--port", Port(nodeId),
            "--node-id", nodeId.ToString(CultureInfo.InvariantCulture),
            "--data", Path.Combine(_dir, $"node-{nodeId}"),
            "--journal", "sqlite:" + Path.Combine(_dir, "journal.db"),
        };
        foreach (var port in _ports)
        {
            args.Add("--seed");
            args.Add($"127.0.0.1:{port}");
        }

        var node = await CliProcess.StartAsync(_dir, "is up", StartTimeout, [.. args]);
        lock (_everyProcess)
        {
            _everyProcess.Add(node);
        }

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

    private string Port(int nodeId) => _ports[nodeId].ToString(CultureInfo.InvariantCulture);

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
