using ActorStream.Kafka.Tests.Support;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// One node process for the Confluent.Kafka group specs, started with a HOCON override that lowers
/// <c>actorstream.broker.group.min-session-timeout-ms</c> (Kafka's <c>group.min.session.timeout.ms</c>, 6 s by
/// default) so members may ask for the few-second session timeouts the specs use. Every group spec class of
/// <see cref="GroupsNodeCollection"/> shares it; each test uses its own topics and group ids.
/// </summary>
public sealed class GroupsNode : KafkaNode
{
    public const int MinSessionTimeoutMs = 1_000;

    private readonly string _configFile;

    public GroupsNode()
    {
        System.IO.Directory.CreateDirectory(Directory);
        _configFile = Path.Combine(Directory, "groups.conf");
        File.WriteAllText(_configFile, $"actorstream.broker.group.min-session-timeout-ms = {MinSessionTimeoutMs}\n");
    }

    protected override IReadOnlyList<string> ExtraArguments => ["--config", _configFile];
}

/// <summary>The Confluent.Kafka group specs on one node; they run one after another (rebalances are timed by heartbeats).</summary>
[CollectionDefinition(Name)]
public sealed class GroupsNodeCollection : ICollectionFixture<GroupsNode>
{
    public const string Name = "kafka groups node";
}
