using ActorStream.Client.Admin;
using NativeAdminConfig = ActorStream.Client.Config.AdminConfig;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>
/// One broker node as a real process (<c>actorstream node start --port 0 --kafka-port 0 --data DIR</c>: a single-node
/// cluster on free ports, its own temp data dir and SQLite journal), shared by the tests of a collection
/// (<see cref="KafkaNodeCollection"/>); each test uses its own topics (<see cref="UniqueTopic"/>). Derive and override
/// <see cref="ExtraArguments"/> for a node started differently (then give it its own collection).
/// </summary>
public class KafkaNode : IAsyncLifetime
{
    private NodeProcess? _node;

    /// <summary>The node's working directory; its data dir is <c>data</c> inside.</summary>
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "actorstream-kafka", Guid.NewGuid().ToString("N"));

    /// <summary>Arguments after <c>node start --port 0 --kafka-port 0 --data DIR</c>.</summary>
    protected virtual IReadOnlyList<string> ExtraArguments => [];

    public NodeProcess Process => _node ?? throw new InvalidOperationException("The node is not started");

    /// <summary>The Kafka listener, <c>127.0.0.1:KPORT</c>, for <c>bootstrap.servers</c> (Confluent.Kafka, kcat <c>-b</c>).</summary>
    public string KafkaBootstrap => Process.KafkaBootstrap;

    public int KafkaPort => Process.KafkaPort;

    /// <summary>The native protocol's <c>host:port</c>, for ActorStream.Client and the CLI's <c>--bootstrap-server</c>.</summary>
    public string NativeBootstrap => Process.NativeBootstrap;

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        _node = await NodeProcess.StartAsync(Directory, ["--port", "0", "--kafka-port", "0", "--data", Path.Combine(Directory, "data"), .. ExtraArguments]);
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            // SIGTERM first (the clean path closes every log); a node that does not stop in time is killed.
            try
            {
                await _node.TerminateAsync(TimeSpan.FromSeconds(30));
            }
            catch (OperationCanceledException)
            {
            }

            _node.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A topic name no other test uses: <c>prefix-</c> and 12 hex digits.</summary>
    public static string UniqueTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>Creates a topic through the native admin client (works without the Kafka gateway) and returns its name.</summary>
    public async Task<string> CreateTopicAsync(string prefix, int partitions, IReadOnlyDictionary<string, string>? configs = null)
    {
        var topic = UniqueTopic(prefix);
        await using var admin = new AdminClient(new NativeAdminConfig { BootstrapServers = NativeBootstrap });
        await admin.CreateTopicsAsync(topic, partitions, 1, configs);
        return topic;
    }

    /// <summary>The end of the node's output, for failure messages.</summary>
    public string Output() => _node?.Output() ?? "(not started)";
}

/// <summary>The tests sharing one <see cref="KafkaNode"/>; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class KafkaNodeCollection : ICollectionFixture<KafkaNode>
{
    public const string Name = "kafka node";
}
