using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using ActorStream.Broker.Hosting;
using ActorStream.Kafka.Apis;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;
using ActorStream.Kafka.Tests.Support;
using BrokerNode = ActorStream.Broker.Hosting.BrokerNode;
using MetadataRequest = ActorStream.Protocol.Client.MetadataRequest;
using MetadataResponse = ActorStream.Protocol.Client.MetadataResponse;

namespace ActorStream.Kafka.Tests;

/// <summary>
/// The gateway on real in-process nodes: it binds before the node joins (a taken port fails the start), its advertised
/// listeners travel with the registration into every node's metadata, and it answers on the bound port.
/// </summary>
public sealed class KafkaGatewayNodeSpec : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-kafka-node", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
        }
    }

    private static async Task<MetadataResponse> MetadataAsync(BrokerNode node) =>
        await node.Endpoint.Ask<MetadataResponse>(new MetadataRequest { AllTopics = true }, TimeSpan.FromSeconds(30));

    private static async Task<short> ApiVersionsErrorAsync(string bootstrap)
    {
        var port = int.Parse(bootstrap[(bootstrap.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        await using var client = await RawKafkaClient.ConnectAsync(port);
        await client.SendRequestAsync(ApiVersionsRequest.ApiKey, 2, 1, []);
        var frame = (await client.ReadFrameAsync())!;
        var reader = new KafkaReader(frame);
        Assert.Equal(1, ResponseHeader.Read(ref reader, 0));
        return ApiVersionsResponse.Read(ref reader, 2).ErrorCode;
    }

    [Fact]
    public async Task Every_node_must_know_every_nodes_Kafka_listener_across_a_cluster()
    {
        await using var cluster = await TestCluster.StartAsync(2, kafka: true);

        for (var i = 0; i < 2; i++)
        {
            var listener = Assert.Single(cluster[i].AdvertisedListeners);
            Assert.Equal("PLAINTEXT", listener.Name);
            Assert.Equal("127.0.0.1", listener.Host);
            Assert.NotEqual(0, listener.Port);
            Assert.Equal($"127.0.0.1:{listener.Port}", cluster.KafkaBootstrap(i));
            Assert.Equal(0, await ApiVersionsErrorAsync(cluster.KafkaBootstrap(i)));
        }

        var expected = Enumerable.Range(0, 2).Select(i => new KafkaBrokerAddress(i, "127.0.0.1", cluster[i].AdvertisedListeners[0].Port)).ToList();
        for (var observer = 0; observer < 2; observer++)
        {
            var node = cluster[observer];
            await Eventually.AssertAsync(
                async () => Assert.Equal(expected, KafkaBrokerAddresses.For((await MetadataAsync(node)).Brokers, "PLAINTEXT")),
                TestCluster.Timeout);
        }

        Assert.Equal(2, cluster.KafkaBootstrapServers.Split(',').Length);
    }

    [Fact]
    public async Task Named_listeners_must_be_registered_and_a_listener_name_must_select_its_addresses()
    {
        await using var node = await TestNode.StartAsync(
            Path.Combine(_dir, "named"),
            extra: """
                actorstream.kafka.listeners = "INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0"
                actorstream.kafka.advertised-listeners = "EXTERNAL://localhost:0"
                """,
            kafka: true);

        Assert.Equal(["INTERNAL", "EXTERNAL"], node.AdvertisedListeners.Select(l => l.Name));
        var external = node.AdvertisedListeners[1];
        Assert.Equal("localhost", external.Host);
        Assert.NotEqual(node.AdvertisedListeners[0].Port, external.Port);

        var metadata = await MetadataAsync(node);
        Assert.Equal([new KafkaBrokerAddress(0, "localhost", external.Port)], KafkaBrokerAddresses.For(metadata.Brokers, "external"));
        Assert.Equal([new KafkaBrokerAddress(0, "127.0.0.1", node.AdvertisedListeners[0].Port)], KafkaBrokerAddresses.For(metadata.Brokers, "INTERNAL"));
        Assert.Empty(KafkaBrokerAddresses.For(metadata.Brokers, "PLAINTEXT"));
        Assert.Equal(0, await ApiVersionsErrorAsync($"127.0.0.1:{external.Port}"));
    }

    [Fact]
    public async Task A_taken_Kafka_port_must_fail_the_start_with_one_line_naming_the_listener_and_port()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var dataDir = Path.Combine(_dir, "taken");

        var error = await Assert.ThrowsAsync<PortInUseException>(() => TestNode.StartAsync(dataDir, extra: $"actorstream.broker.kafka-port = {port}", kafka: true));

        Assert.Equal(
            $"Port {port} on 127.0.0.1 (Kafka listener PLAINTEXT, actorstream.broker.kafka-port) is not available (AddressAlreadyInUse): is another node running there? Choose another port, or 0 for any free one",
            error.Message);
        // Nothing was left behind: the same data dir starts on a free port.
        await using var node = await TestNode.StartAsync(dataDir, kafka: true);
        Assert.Equal(0, await ApiVersionsErrorAsync(node.KafkaBootstrap()));
    }

    [Fact]
    public async Task Kafka_disabled_must_start_no_listener()
    {
        await using var node = await TestNode.StartAsync(Path.Combine(_dir, "off"), extra: "actorstream.kafka.enabled = off", kafka: true);

        Assert.Empty(node.AdvertisedListeners);
        Assert.Empty((await MetadataAsync(node)).Brokers.Single().KafkaListeners);
    }

    [Fact]
    public async Task Stopping_the_node_must_close_its_Kafka_connections()
    {
        var node = await TestNode.StartAsync(Path.Combine(_dir, "stop"), kafka: true);
        var port = node.AdvertisedListeners[0].Port;
        await using var client = await RawKafkaClient.ConnectAsync(port);
        Assert.Equal(0, await ApiVersionsErrorAsync(node.KafkaBootstrap()));

        await node.StopAsync();

        Assert.True(await client.IsClosedByBrokerAsync());
        await Assert.ThrowsAnyAsync<SocketException>(() => RawKafkaClient.ConnectAsync(port));
    }
}
