using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using AkkaConfig = Akka.Configuration.Config;
using ActorStream.Broker.Hosting;

namespace ActorStream.TestKit;

/// <summary>
/// Starts a real single-node broker (segment logs in a temp dir). Without a <c>port</c> it binds any free loopback port
/// (port 0; <see cref="BrokerNode.Settings"/> and <see cref="BrokerNode.BootstrapAddress"/> carry the bound one), and the
/// Kafka port is 0 too. The journal is the default SQLite file in the data dir unless <c>journal</c> names another (e.g.
/// <see cref="PostgresSchema.JournalSpec"/>).
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
        BrokerConfig.Build(
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
            profile: "single-node");

    public static Task<BrokerNode> StartAsync(string dataDir, int? port = null, string extra = "", string? journal = null) =>
        BrokerNode.StartAsync(Config(dataDir, port, extra, journal));

    /// <summary>A HOCON quoted string (connection strings hold <c>;</c> and <c>=</c>, paths may hold backslashes).</summary>
    internal static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
