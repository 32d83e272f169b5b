using ActorStream.TestKit;
using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;

namespace ActorStream.Client.Tests;

/// <summary>
/// Committed offsets live in the group coordinator's journal: a clean broker restart (same data dir, same port) must give a
/// group back exactly what it committed. Its own node, since the test stops it.
/// </summary>
public sealed class CommittedOffsetRestartSpec : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "as-client-restart-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static ConsumerConfig GroupConfig(string bootstrap, string group) => Clients.Consumer(bootstrap) with
    {
        GroupId = group,
        EnableAutoCommit = false,
        HeartbeatIntervalMs = 200,
        SessionTimeoutMs = 10_000,
    };

    [Fact]
    public async Task A_consumer_must_resume_from_the_offset_committed_before_a_broker_restart()
    {
        int port;
        var topic = BrokerFixture.UniqueTopic("restart");
        var group = "g-" + Guid.NewGuid().ToString("N")[..12];
        var tp = new TopicPartition(topic, 0);

        await using (var node = await TestNode.StartAsync(_dir))
        {
            port = node.Settings.Port;
            await using (var admin = new AdminClient(new AdminConfig { BootstrapServers = node.BootstrapAddress }))
            {
                await admin.CreateTopicsAsync(topic, 1, 1);
            }

            await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = node.BootstrapAddress }))
            {
                await Task.WhenAll(Enumerable.Range(0, 10).Select(i => producer.ProduceAsync(topic, $"k{i}", $"v{i}", partition: 0)));
            }

            await using var first = new Consumer<string, string>(GroupConfig(node.BootstrapAddress, group) with { MaxPollRecords = 4 });
            first.Subscribe([topic]);
            var read = await Clients.ConsumeAsync(first, 4);
            Assert.Equal([0L, 1L, 2L, 3L], read.Take(4).Select(r => r.Offset));
            await first.CommitAsync(new Dictionary<TopicPartition, long> { [tp] = 4 });
            Assert.Equal(4, (await first.CommittedAsync([tp]))[tp]);
        }

        await using var restarted = await TestNode.StartAsync(_dir, port);
        await using var second = new Consumer<string, string>(GroupConfig(restarted.BootstrapAddress, group));
        Assert.Equal(4, (await second.CommittedAsync([tp]))[tp]);

        second.Subscribe([topic]);
        var rest = await Clients.ConsumeAsync(second, 6);
        Assert.Equal(Enumerable.Range(4, 6).Select(i => (long)i), rest.Select(r => r.Offset));
        Assert.Equal(Enumerable.Range(4, 6).Select(i => $"v{i}"), rest.Select(r => r.Value));

        await second.CommitAsync();
        Assert.Equal(10, (await second.CommittedAsync([tp]))[tp]);
    }
}
