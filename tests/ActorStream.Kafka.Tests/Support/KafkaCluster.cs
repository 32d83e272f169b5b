using System.Globalization;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>
/// Three <c>actorstream node</c> processes of one cluster on loopback (README "A three-node cluster on one machine"):
/// one shared SQLite journal, a data dir per node, the <c>hocon/cluster-node.conf</c> profile (RF 3, min.insync 2).
/// Each node takes free ports at its first start (<c>--port 0 --kafka-port 0</c>, read from its ready line) and keeps
/// them: <see cref="RestartAsync"/> brings a node back on its own native and Kafka ports. Node 0 forms the cluster; the
/// others join through it, and a restarted node through every other node (never itself: a first seed listing itself
/// could form a cluster of its own). Shared by the tests of <see cref="KafkaClusterCollection"/>.
/// </summary>
public class KafkaCluster : IAsyncLifetime
{
    public const int Size = 3;

    private readonly int[] _nativePorts = new int[Size];
    private readonly int[] _kafkaPorts = new int[Size];
    private readonly NodeProcess?[] _nodes = new NodeProcess?[Size];
    private readonly List<NodeProcess> _everyProcess = [];

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "actorstream-kafka", "cluster-" + Guid.NewGuid().ToString("N"));

    /// <summary>A running node; throws for a killed one.</summary>
    public NodeProcess Node(int nodeId) => _nodes[nodeId] ?? throw new InvalidOperationException($"Node {nodeId} is not running");

    public bool IsRunning(int nodeId) => _nodes[nodeId] is { HasExited: false };

    /// <summary>Every node's Kafka port (a killed node's too: it comes back on it).</summary>
    public int KafkaPort(int nodeId) => _kafkaPorts[nodeId] != 0 ? _kafkaPorts[nodeId] : Node(nodeId).KafkaPort;

    public int NativePort(int nodeId) => _nativePorts[nodeId];

    /// <summary><c>bootstrap.servers</c> naming every node's Kafka listener.</summary>
    public string KafkaBootstrap => string.Join(',', Enumerable.Range(0, Size).Select(n => $"127.0.0.1:{KafkaPort(n)}"));

    /// <summary>The native <c>host:port</c> of every node, for ActorStream.Client and the CLI.</summary>
    public string NativeBootstrap => string.Join(',', _nativePorts.Where(p => p != 0).Select(p => $"127.0.0.1:{p}"));

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        await StartAsync(0);
        await Task.WhenAll(Enumerable.Range(1, Size - 1).Select(StartAsync));
    }

    /// <summary>SIGKILL by PID: a crash, no leaving the cluster. Returns once the process is gone.</summary>
    public void Kill(int nodeId)
    {
        Node(nodeId).Kill();
        _nodes[nodeId] = null;
    }

    /// <summary>Starts a killed (or stopped) node again on the same native and Kafka ports, with its data dir.</summary>
    public Task RestartAsync(int nodeId) =>
        IsRunning(nodeId) ? throw new InvalidOperationException($"Node {nodeId} is already running") : StartAsync(nodeId);

    private async Task StartAsync(int nodeId)
    {
        var args = new List<string>
        {
            "--port", _nativePorts[nodeId].ToString(CultureInfo.InvariantCulture),
            "--kafka-port", _kafkaPorts[nodeId].ToString(CultureInfo.InvariantCulture),
            "--node-id", nodeId.ToString(CultureInfo.InvariantCulture),
            "--data", Path.Combine(Directory, $"node-{nodeId}"),
            "--journal", "sqlite:" + Path.Combine(Directory, "journal.db"),
            // The cluster profile even for the first node, which has no seed to list.
            "--config", Path.Combine(CliProcess.RepoRoot, "hocon", "cluster-node.conf"),
        };
        for (var other = 0; other < Size; other++)
        {
            if (other != nodeId && _nativePorts[other] != 0)
            {
                args.Add("--seed");
                args.Add($"127.0.0.1:{_nativePorts[other]}");
            }
        }

        var node = await NodeProcess.StartAsync(Directory, args);
        lock (_everyProcess)
        {
            _everyProcess.Add(node);
        }

        _nativePorts[nodeId] = node.NativePort;
        if (node.HasKafkaListener)
        {
            _kafkaPorts[nodeId] = node.KafkaPort;
        }

        _nodes[nodeId] = node;
    }

    /// <summary>The end of what every process of this cluster wrote, restarts included, for failure messages.</summary>
    public string Output()
    {
        lock (_everyProcess)
        {
            return string.Join("\n", _everyProcess.Select(p => p.Output()));
        }
    }

    public Task DisposeAsync()
    {
        lock (_everyProcess)
        {
            foreach (var process in _everyProcess)
            {
                process.Dispose();
            }
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// The tests sharing one <see cref="KafkaCluster"/>. Not run beside other collections: failovers time real failure
/// detectors, and three nodes already fill two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KafkaClusterCollection : ICollectionFixture<KafkaCluster>
{
    public const string Name = "kafka cluster";
}
