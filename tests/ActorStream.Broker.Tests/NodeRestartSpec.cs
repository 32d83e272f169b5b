using ActorStream.TestKit;
using ActorStream.Broker.Hosting;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol.Client;
using Akka.Actor;

namespace ActorStream.Broker.Tests;

public sealed class NodeRestartSpec : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-restart", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Topics_records_and_identity_must_survive_a_clean_restart()
    {
        string clusterId;
        int port;
        await using (var node = await TestNode.StartAsync(_dir))
        {
            clusterId = node.ClusterId;
            port = node.Settings.Port;
            await node.Endpoint.Ask<CreateTopicsResponse>(new CreateTopicsRequest { Topics = { new CreatableTopic { Name = "durable", NumPartitions = 2, ReplicationFactor = 1 } } }, NodeFixture.Timeout);
            await node.Endpoint.Ask<ProduceResponse>(new ProduceRequest { Acks = -1, TimeoutMs = 30_000, Partitions = { new ProducePartitionData { Topic = "durable", Partition = 1, Records = NodeFixture.Batch(3, "before") } } }, NodeFixture.Timeout);
        }

        Assert.Equal(clusterId, MetaProperties.Read(_dir)!.ClusterId);
        await using var restarted = await TestNode.StartAsync(_dir, port);
        Assert.Equal(clusterId, restarted.ClusterId);
        var produced = await restarted.Endpoint.Ask<ProduceResponse>(new ProduceRequest { Acks = -1, TimeoutMs = 30_000, Partitions = { new ProducePartitionData { Topic = "durable", Partition = 1, Records = NodeFixture.Batch(1, "after") } } }, NodeFixture.Timeout);
        Assert.Equal(3, produced.Partitions[0].BaseOffset);
        var fetched = await restarted.Endpoint.Ask<FetchResponse>(new FetchRequest { Partitions = { new FetchPartition { Topic = "durable", Partition = 1, FetchOffset = 0 } } }, NodeFixture.Timeout);
        Assert.Equal(["before0", "before1", "before2", "after0"], NodeFixture.Values(fetched.Partitions[0].Records));
    }

    [Fact]
    public async Task A_second_node_on_a_port_in_use_must_refuse_to_start()
    {
        await using var first = await TestNode.StartAsync(_dir);
        var port = first.Settings.Port;
        var error = await Assert.ThrowsAsync<PortInUseException>(() => TestNode.StartAsync(Path.Combine(_dir, "second"), port));
        Assert.StartsWith($"Port {port} on 127.0.0.1 (actorstream.broker.port) is not available", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_data_dir_of_another_node_id_must_refuse_to_start()
    {
        new MetaProperties(5, "some-cluster").Write(_dir);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestNode.StartAsync(_dir));
        Assert.Contains("node 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_dir_of_another_cluster_must_refuse_to_start_against_this_journal()
    {
        int port;
        await using (var node = await TestNode.StartAsync(_dir))
        {
            port = node.Settings.Port;
        }

        new MetaProperties(0, "a-different-cluster").Write(_dir);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestNode.StartAsync(_dir, port));
        Assert.Contains("a-different-cluster", error.Message, StringComparison.Ordinal);
    }
}
