using ActorStream.Kafka.Tests.Support;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// One node process for the consumer-group specs, started with <c>--config</c> allowing session timeouts down to 1 s
/// (Kafka's <c>group.min.session.timeout.ms</c> is 6 s), so a member that stops without leaving is expelled in seconds.
/// </summary>
public sealed class KafkaGroupNode : KafkaNode
{
    /// <summary>The session timeout the group specs' clients ask for.</summary>
    public const int SessionTimeoutMs = 6_000;

    public KafkaGroupNode()
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(ConfigFile, "actorstream.broker.group.min-session-timeout-ms = 1000\n");
    }

    private string ConfigFile => Path.Combine(Directory, "groups.conf");

    protected override IReadOnlyList<string> ExtraArguments => ["--config", ConfigFile];
}

/// <summary>The group specs sharing one <see cref="KafkaGroupNode"/>; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class KafkaGroupNodeCollection : ICollectionFixture<KafkaGroupNode>
{
    public const string Name = "kafka group node";
}
