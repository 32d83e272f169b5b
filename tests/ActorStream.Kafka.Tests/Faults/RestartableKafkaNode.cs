using System.Globalization;
using ActorStream.Client.Admin;
using ActorStream.Kafka.Tests.Support;
using NativeAdminConfig = ActorStream.Client.Config.AdminConfig;

namespace ActorStream.Kafka.Tests.Faults;

/// <summary>
/// One node process (a single-node cluster, its SQLite journal in its data dir) that a test may kill (-9) and start
/// again on the same native and Kafka ports and the same data dir, so clients reconnect to the address they know.
/// A class fixture of its own: the other specs' shared <see cref="KafkaNode"/> must never go down.
/// </summary>
public sealed class RestartableKafkaNode : IAsyncLifetime
{
    private readonly List<NodeProcess> _everyProcess = [];
    private NodeProcess? _node;
    private int _nativePort;
    private int _kafkaPort;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "actorstream-kafka", "restartable-" + Guid.NewGuid().ToString("N"));

    public NodeProcess Process => _node ?? throw new InvalidOperationException("The node is not running");

    public string KafkaBootstrap => $"127.0.0.1:{_kafkaPort}";

    public string NativeBootstrap => $"127.0.0.1:{_nativePort}";

    public Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        return StartAsync();
    }

    /// <summary>SIGKILL by PID, then a new process on the same ports and data dir; returns once it is up.</summary>
    public async Task KillAndRestartAsync()
    {
        Process.Kill();
        _node = null;
        await StartAsync();
    }

    public async Task<string> CreateTopicAsync(string prefix, int partitions)
    {
        var topic = KafkaNode.UniqueTopic(prefix);
        await using var admin = new AdminClient(new NativeAdminConfig { BootstrapServers = NativeBootstrap });
        await admin.CreateTopicsAsync(topic, partitions, 1);
        return topic;
    }

    private async Task StartAsync()
    {
        var node = await NodeProcess.StartAsync(Directory,
        [
            "--port", _nativePort.ToString(CultureInfo.InvariantCulture),
            "--kafka-port", _kafkaPort.ToString(CultureInfo.InvariantCulture),
            "--data", Path.Combine(Directory, "data"),
        ]);
        lock (_everyProcess)
        {
            _everyProcess.Add(node);
        }

        _nativePort = node.NativePort;
        _kafkaPort = node.KafkaPort;
        _node = node;
    }

    /// <summary>The end of what every process of this node wrote, the killed one too, for failure messages.</summary>
    public string Output()
    {
        lock (_everyProcess)
        {
            return string.Join("\n", _everyProcess.Select(p => p.Output()));
        }
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            try
            {
                await _node.TerminateAsync(TimeSpan.FromSeconds(30));
            }
            catch (OperationCanceledException)
            {
            }
        }

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
    }
}
