using System.Net;
using System.Net.Sockets;
using ActorStream.Broker.Hosting;
using ActorStream.TestKit;
using Akka.Actor;
using Akka.Configuration;

namespace ActorStream.Broker.Tests;

/// <summary>
/// <see cref="BrokerConfig"/> binds Akka.Remote to <c>bind-host</c> and advertises <c>host</c> (Kafka's listeners and
/// advertised.listeners): a container binds 0.0.0.0 so its published port reaches the node, while clients keep
/// addressing the name they dial.
/// </summary>
public sealed class BrokerConfigSpec : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-bind", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void By_default_the_node_must_bind_and_advertise_its_host()
    {
        var config = TestNode.Config(_dir, port: 4999);

        Assert.Equal("", config.GetString("actorstream.broker.bind-host"));
        Assert.Equal("127.0.0.1", BrokerSettings.Create(config.GetConfig("actorstream.broker")).BindHost);
        Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.public-hostname"));
    }

    [Fact]
    public void A_bind_host_must_be_bound_while_the_host_is_advertised()
    {
        var config = TestNode.Config(_dir, port: 4999, extra: "actorstream.broker { host = node1, bind-host = \"0.0.0.0\" }");

        Assert.Equal("0.0.0.0", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal("node1", config.GetString("akka.remote.dot-netty.tcp.public-hostname"));
        Assert.Equal(4999, config.GetInt("akka.remote.dot-netty.tcp.port"));
    }

    [Fact]
    public async Task A_node_bound_to_every_interface_must_answer_on_another_address_and_accept_its_advertised_one()
    {
        await using var node = await TestNode.StartAsync(_dir, extra: "actorstream.broker.bind-host = \"0.0.0.0\"");
        var port = node.Settings.Port;

        Assert.Equal($"akka.tcp://{BrokerNode.SystemName}@127.0.0.1:{port}", Akka.Cluster.Cluster.Get(node.System).SelfAddress.ToString());

        // 127.0.0.2 stands in for the container's own interface, where a published port's traffic arrives: a node bound
        // to 127.0.0.1 refuses it.
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port));
            Assert.True(socket.Connected);
        }

        // A remote client addressing the advertised name reaches the endpoint.
        using var client = ActorSystem.Create("client", ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.loglevel = WARNING
            """));
        var endpoint = await client.ActorSelection($"akka.tcp://{BrokerNode.SystemName}@127.0.0.1:{port}/user/broker").ResolveOne(TimeSpan.FromSeconds(30));
        Assert.Equal(node.Endpoint.Path.ToStringWithoutAddress(), endpoint.Path.ToStringWithoutAddress());
        await client.Terminate();
    }
}
