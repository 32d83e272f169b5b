using ActorStream.TestKit;
using ActorStream.Broker.Hosting;
using ActorStream.Client.Admin;
using ActorStream.Client.Config;

namespace ActorStream.Client.Tests.Support;

/// <summary>One real broker node shared by the tests of a collection (each test uses its own topics).</summary>
public class BrokerFixture : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "as-client-" + Guid.NewGuid().ToString("N"));
    private BrokerNode? _node;

    protected virtual string ExtraConfig => "";

    public BrokerNode Node => _node ?? throw new InvalidOperationException("The node is not started");

    public string Bootstrap => Node.BootstrapAddress;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(_dataDir, extra: ExtraConfig);

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.StopAsync();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static string UniqueTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];

    public async Task<string> CreateTopicAsync(string prefix, int partitions)
    {
        var topic = UniqueTopic(prefix);
        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = Bootstrap });
        await admin.CreateTopicsAsync(topic, partitions, 1);
        return topic;
    }
}

/// <summary>A node with <c>auto.create.topics.enable=false</c>.</summary>
public sealed class NoAutoCreateBrokerFixture : BrokerFixture
{
    protected override string ExtraConfig => "actorstream.broker.auto-create-topics-enable = off";
}

[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "broker";
}

[CollectionDefinition(Name)]
public sealed class NoAutoCreateBrokerCollection : ICollectionFixture<NoAutoCreateBrokerFixture>
{
    public const string Name = "broker-no-auto-create";
}
