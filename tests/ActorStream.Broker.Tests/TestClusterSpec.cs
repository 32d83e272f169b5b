using Akka.Cluster;
using ActorStream.TestKit;
using ActorStream.Broker.Hosting;
using ActorStream.Broker.Tests.Support;

namespace ActorStream.Broker.Tests;

/// <summary>The in-process multi-node support itself: distinct identities, one cluster, a node leaving and coming back.</summary>
[Collection(MultiNodeCollection.Name)]
public sealed class TestClusterSpec
{
    [Fact]
    public async Task Nodes_must_form_one_cluster_and_a_stopped_node_must_rejoin_on_its_address()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        Assert.Equal([0, 1], cluster.Running.Select(i => cluster[i].Settings.NodeId));
        Assert.Equal(cluster[0].ClusterId, cluster[1].ClusterId);
        Assert.NotEqual(cluster[0].Settings.DataDir, cluster[1].Settings.DataDir);
        Assert.Equal(0, cluster.OldestIndex(observer: 1));
        Assert.Equal(cluster[0].ClusterId, MetaProperties.Read(cluster.DataDir(1))!.ClusterId);

        await cluster.StopNodeAsync(1);
        Assert.Equal(MemberStatus.Up, Cluster.Get(cluster[0].System).SelfMember.Status);

        var restarted = await cluster.StartNodeAsync(1);
        await cluster.WaitForMembersUpAsync();
        Assert.Equal(cluster.AddressOf(1), Cluster.Get(restarted.System).SelfAddress);
        Assert.Equal(cluster[0].ClusterId, restarted.ClusterId);
        Assert.Equal(0, cluster.OldestIndex(observer: 1));
    }
}
