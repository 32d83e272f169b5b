using ActorStream.Kafka.Tests.Support;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// A node for the KIP-848 specs: a KIP-848 member expires after 6 s without a heartbeat (Kafka: 45 s) and heartbeats
/// every 500 ms (Kafka: 5 s), so a hand-over takes about a second and a vanished member a few.
/// </summary>
public sealed class Kip848Node : KafkaNode
{
    protected override IReadOnlyList<string> ExtraArguments => ["--config", WriteConfig()];

    private string WriteConfig()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, "kip848.conf");
        File.WriteAllText(path, """
            actorstream.broker.group.min-session-timeout-ms = 1000
            actorstream.kafka.consumer-group-session-timeout = 6s
            actorstream.kafka.consumer-group-heartbeat-interval = 500ms
            """);
        return path;
    }
}

/// <summary>The KIP-848 specs sharing one <see cref="Kip848Node"/>.</summary>
[CollectionDefinition(Name)]
public sealed class Kip848NodeCollection : ICollectionFixture<Kip848Node>
{
    public const string Name = "kip848 node";
}
