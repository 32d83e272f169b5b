using Akka.Actor;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// Deleting a replicated topic on a three-node cluster: every replica deletes its copy, the leader's through its
/// partition entity, the followers' through the controller's tombstones (<c>deleted_topic_ids</c> in the metadata
/// snapshot), and a node that was down during the deletion deletes its copy once it rejoins.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class TopicDeletionSpec
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Deleting_a_topic_must_delete_its_partition_directory_on_every_replica()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var topic = await CreateReplicatedEverywhereAsync(cluster, "deleted");

        await DeleteAsync(cluster[0], topic);

        foreach (var node in cluster.Running)
        {
            await Eventually.TrueAsync(() => !Directory.Exists(topic.DirectoryOn(node)), TestCluster.Timeout, $"node {node} deleted {topic.DirectoryOn(node)}");
        }
    }

    [Fact]
    public async Task A_node_that_was_down_while_the_topic_was_deleted_must_delete_its_copy_when_it_rejoins()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var topic = await CreateReplicatedEverywhereAsync(cluster, "deleted-away");
        var leader = (await topic.AwaitPartitionAsync(0, p => p.LeaderId >= 0, "a leader")).LeaderId;
        // Node 0 is the oldest member (the controller runs there); the node that goes down is a follower.
        var down = new[] { 1, 2 }.First(n => n != leader);

        await cluster.StopNodeAsync(down);
        await DeleteAsync(cluster[0], topic);
        foreach (var node in cluster.Running)
        {
            await Eventually.TrueAsync(() => !Directory.Exists(topic.DirectoryOn(node)), TestCluster.Timeout, $"node {node} deleted {topic.DirectoryOn(node)}");
        }

        Assert.True(Directory.Exists(topic.DirectoryOn(down)), "the stopped node's copy is still on its disk");

        // The restarted node's first metadata snapshot lists the topic id as deleted.
        await cluster.StartNodeAsync(down);
        await Eventually.TrueAsync(() => !Directory.Exists(topic.DirectoryOn(down)), TestCluster.Timeout, $"restarted node {down} deleted {topic.DirectoryOn(down)}");
    }

    /// <summary>A replication factor 3 topic with 10 records acknowledged by all three replicas and on every node's disk.</summary>
    private static async Task<ReplicatedTopic> CreateReplicatedEverywhereAsync(TestCluster cluster, string prefix)
    {
        var topic = await ReplicatedTopic.CreateAsync(cluster, prefix, minInsync: 3, replicationFactor: 3);
        var leader = (await topic.AwaitPartitionAsync(0, p => p.LeaderId >= 0 && p.Isr.Count == 3, "a leader with 3 in-sync replicas")).LeaderId;
        await topic.AwaitPartitionAsync(leader, p => p.LeaderId == leader, "the leader's endpoint knows it leads");
        var values = ReplicatedTopic.Values("v", 0, 10);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[leader], values, acks: -1)).ErrorCode);
        foreach (var node in cluster.Running)
        {
            await Eventually.TrueAsync(() => topic.CopyOn(node).Count == values.Count, TestCluster.Timeout, $"node {node} has every record");
        }

        return topic;
    }

    private static async Task DeleteAsync(Hosting.BrokerNode node, ReplicatedTopic topic)
    {
        var deleted = await node.Endpoint.Ask<DeleteTopicsResponse>(new DeleteTopicsRequest { Names = { topic.Name } }, AskTimeout);
        Assert.Equal(ErrorCode.None, (ErrorCode)deleted.Results.Single().ErrorCode);
    }
}
