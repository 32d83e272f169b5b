using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using AkkaConfig = Akka.Configuration.Config;
using ActorStream.Broker.Hosting;
using ActorStream.Kafka.Hosting;

namespace ActorStream.TestKit;

/// <summary>
/// Starts a real single-node broker (segment logs in a temp dir). Without a <c>port</c> it binds any free loopback port
/// (port 0; <see cref="BrokerNode.Settings"/> and <see cref="BrokerNode.BootstrapAddress"/> carry the bound one), and the
/// Kafka port is 0 too. The journal is the default SQLite file in the data dir unless <c>journal</c> names another (e.g.
/// <see cref="PostgresSchema.JournalSpec"/>). With <c>kafka: true</c> the node runs its Kafka gateway (one PLAINTEXT listener
/// on a free loopback port, <see cref="KafkaBootstrap"/>), so a test can use real Kafka clients against it.
/// </summary>
public static class TestNode
{
    /// <summary>
    /// A port free now, for a test that needs a port nothing listens on (a node must never be started on it: that is racy;
    /// start on port 0 and read the bound one from <see cref="BrokerNode.Settings"/>).
    /// </summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static AkkaConfig Config(string dataDir, int? port = null, string extra = "", string? journal = null) =>
        KafkaConfig.WithDefaults(BrokerConfig.Build(
            ConfigurationFactory.ParseString($$"""
                actorstream.broker {
                  data-dir = "{{dataDir}}"
                  port = {{port ?? 0}}
                  kafka-port = 0
                  journal = {{Quote(journal ?? "")}}
                }
                akka.loglevel = WARNING
                {{extra}}
                """),
            userConfig: null,
            profile: "single-node"));

    public static Task<BrokerNode> StartAsync(string dataDir, int? port = null, string extra = "", string? journal = null, bool kafka = false)
    {
        var config = Config(dataDir, port, extra, journal);
        return BrokerNode.StartAsync(config, kafka ? KafkaGateway.For(config) : []);
    }

    /// <summary>
    /// A node's Kafka bootstrap server, <c>host:port</c> of its first Kafka listener (<c>127.0.0.1:PORT</c> for a test
    /// node started with <c>kafka: true</c>).
    /// </summary>
    public static string KafkaBootstrap(this BrokerNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var listener = node.AdvertisedListeners.Count > 0
            ? node.AdvertisedListeners[0]
            : throw new InvalidOperationException($"Node {node.Settings.NodeId} runs no Kafka listener (start it with kafka: true)");
        return $"{listener.Host}:{listener.Port}";
    }

    /// <summary>A HOCON quoted string (connection strings hold <c>;</c> and <c>=</c>, paths may hold backslashes).</summary>
    internal static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
