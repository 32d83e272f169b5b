using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Persistence.Sql;
using ActorStream.Protocol;

namespace ActorStream.Broker.Hosting;

/// <summary>
/// Assembles a node's configuration, highest priority first: command-line overrides, the deployment profile
/// (<c>hocon/*.conf</c>, embedded here), the user's config file, then every module's <c>reference.conf</c>.
/// </summary>
public static class BrokerConfig
{
    public static Config Reference { get; } = ConfigurationFactory.FromResource<BrokerSettings>("ActorStream.Broker.reference.conf");

    /// <summary>A profile from <c>hocon/</c>: <c>single-node</c>, <c>cluster-node</c> or <c>postgres</c>.</summary>
    public static Config Profile(string name) => ConfigurationFactory.FromResource<BrokerSettings>($"ActorStream.Broker.hocon.{name}.conf");

    public static Config Build(Config overrides, Config? userConfig, string profile)
    {
        var config = overrides
            .WithFallback(userConfig ?? Config.Empty)
            .WithFallback(Profile(profile))
            .WithFallback(Reference)
            .WithFallback(ProtocolConfig.Default);

        var settings = BrokerSettings.Create(config.GetConfig("actorstream.broker"));
        var journal = JournalSettings.Parse(settings.Journal, settings.DataDir);
        // Akka.Remote binds to hostname and advertises public-hostname: the address in every actor path it hands out.
        var remote = ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp.hostname = "{{settings.BindHost}}"
            akka.remote.dot-netty.tcp.public-hostname = "{{settings.Host}}"
            akka.remote.dot-netty.tcp.port = {{settings.Port}}
            """);

        return remote
            .WithFallback(journal.ToConfig())
            .WithFallback(config)
            .WithFallback(ClusterSharding.DefaultConfig())
            .WithFallback(ClusterSingleton.DefaultConfig())
            .WithFallback(DistributedPubSub.DefaultConfig())
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }
}
