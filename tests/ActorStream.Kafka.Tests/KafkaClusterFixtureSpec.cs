using ActorStream.Client.Admin;
using ActorStream.Kafka.Tests.Support;
using NativeAdminConfig = ActorStream.Client.Config.AdminConfig;

namespace ActorStream.Kafka.Tests;

/// <summary>The 3-node fixture itself: three node processes form one cluster, and a killed node comes back on its ports.</summary>
[Collection(KafkaClusterCollection.Name)]
public sealed class KafkaClusterFixtureSpec(KafkaCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task A_killed_node_must_restart_on_its_ports_and_rejoin_every_ISR()
    {
        Assert.Equal([0, 1, 2], Enumerable.Range(0, KafkaCluster.Size).Select(n => cluster.Node(n).NodeId));
        Assert.Equal(3, Enumerable.Range(0, KafkaCluster.Size).Select(cluster.NativePort).Distinct().Count());
        await using var admin = new AdminClient(new NativeAdminConfig { BootstrapServers = cluster.NativeBootstrap });
        var topic = KafkaNode.UniqueTopic("fixture-rf3");
        await ReplicatedTopic.CreateAsync(admin, topic, partitions: 3);
        await ReplicatedTopic.WaitForFullIsrAsync(admin, topic, 3, "the new topic", cluster.Output);

        var port = cluster.NativePort(2);
        var pid = cluster.Node(2).Pid;
        cluster.Kill(2);
        Assert.False(cluster.IsRunning(2));
        await cluster.RestartAsync(2);
        output.WriteLine($"node 2: pid {pid} killed, pid {cluster.Node(2).Pid} up on port {cluster.NativePort(2)}");

        Assert.NotEqual(pid, cluster.Node(2).Pid);
        Assert.Equal(port, cluster.NativePort(2));
        Assert.Equal(port, cluster.Node(2).NativePort);
        await ReplicatedTopic.WaitForFullIsrAsync(admin, topic, 3, "node 2 back in every ISR", cluster.Output);
    }
}
