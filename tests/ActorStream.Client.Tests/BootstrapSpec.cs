using System.Diagnostics;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;
using ActorStream.Protocol;
using ActorStream.TestKit;

namespace ActorStream.Client.Tests;

/// <summary>
/// Bootstrapping by the names people type: <c>localhost</c> for a node that calls itself 127.0.0.1 (and the other
/// way round) works; an address nothing listens on, or an unknown host, fails within seconds with one line naming it.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class BootstrapSpec(BrokerFixture broker)
{
    /// <summary>A mechanism check, far below request.timeout.ms (30 s), which the old bootstrap waited out.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Localhost_must_reach_a_node_advertised_as_127_0_0_1()
    {
        Assert.StartsWith("127.0.0.1:", broker.Bootstrap, StringComparison.Ordinal);
        var localhost = "localhost:" + broker.Node.Settings.Port;
        var topic = await broker.CreateTopicAsync("localhost", 1);
        await using var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = localhost });
        var sent = await producer.ProduceAsync(topic, "k", "via localhost").WaitAsync(Prompt);
        Assert.Equal(0, sent.Offset);

        await using var consumer = new Consumer<string, string>(Clients.Consumer(localhost));
        consumer.Assign([new TopicPartition(topic, 0)]);
        Assert.Equal("via localhost", (await Clients.ConsumeAsync(consumer, 1)).Single().Value);
    }

    [Fact]
    public async Task An_ip_must_reach_a_node_advertised_as_localhost()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "as-client-" + Guid.NewGuid().ToString("N"));
        var node = await TestNode.StartAsync(dataDir, extra: "actorstream.broker.host = \"localhost\"");
        try
        {
            Assert.StartsWith("localhost:", node.BootstrapAddress, StringComparison.Ordinal);
            await using var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = "127.0.0.1:" + node.Settings.Port });
            Assert.Equal(0, (await producer.ProduceAsync("via-ip", "k", "v").WaitAsync(Prompt)).Offset);
        }
        finally
        {
            await node.StopAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task A_closed_port_must_fail_within_seconds_naming_the_address(string host)
    {
        var address = $"{host}:{TestNode.FreePort()}";
        var clock = Stopwatch.StartNew();
        await using var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = address });
        var error = await Assert.ThrowsAsync<ActorStreamException>(() => producer.ConnectedTask.WaitAsync(Prompt));
        Assert.True(clock.Elapsed < Prompt, $"took {clock.Elapsed}");
        Assert.Equal(ErrorCode.BrokerNotAvailable, error.ErrorCode);
        Assert.Contains(address + ": nothing answered there", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task An_unknown_host_must_fail_with_one_line_naming_it()
    {
        await using var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = "no-such-host.invalid:4053" });
        var error = await Assert.ThrowsAsync<ActorStreamException>(() => producer.ConnectedTask.WaitAsync(Prompt));
        Assert.Contains("unknown host no-such-host.invalid", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Null(error.InnerException);
    }
}
