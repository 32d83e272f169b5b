using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using AkkaConfig = Akka.Configuration.Config;
using ActorStream.Broker.Hosting;

namespace ActorStream.TestKit;

/// <summary>Starts a real single-node broker (SQLite journal, segment logs) in a temp dir on free loopback ports.</summary>
public static class TestNode
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static AkkaConfig Config(string dataDir, int? port = null, string extra = "") =>
        BrokerConfig.Build(
            ConfigurationFactory.ParseString($$"""
                actorstream.broker {
                  data-dir = "{{dataDir}}"
                  port = {{port ?? FreePort()}}
                }
                akka.loglevel = WARNING
                {{extra}}
                """),
            userConfig: null,
            profile: "single-node");

    public static Task<BrokerNode> StartAsync(string dataDir, int? port = null, string extra = "") =>
        BrokerNode.StartAsync(Config(dataDir, port, extra));
}
