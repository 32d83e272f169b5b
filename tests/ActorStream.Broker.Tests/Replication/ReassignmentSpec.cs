using Akka.Actor;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// Reassignment on a three-node cluster: a partition on [leader, b] moves to [c, b]; c catches up before the old
/// leader is dropped, leadership moves to a target replica, and no acknowledged record is lost. A node the partition
/// moved away from deletes its copy (Kafka's StopReplica with delete=true): at once, or when it restarts if it was down.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class ReassignmentSpec
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_partition_must_move_to_its_target_replicas_with_every_acknowledged_record()
    {
        await using var cluster = await TestCluster.StartAsync(3, extra: "akka.cluster.sharding.rebalance-interval = 1s");
        var topic = await ReplicatedTopic.CreateAsync(cluster, "move", minInsync: 2, replicationFactor: 2);

        var before = await topic.AwaitPartitionAsync(0, p => p.LeaderId >= 0 && p.Isr.Count == 2, "a leader with 2 in-sync replicas");
        var leader = before.LeaderId;
        before = await topic.AwaitPartitionAsync(leader, p => p.LeaderId == leader && p.Isr.Count == 2, "the leader's endpoint knows it leads");
        var other = before.Replicas.Single(r => r != leader);
        var newcomer = Enumerable.Range(0, 3).Single(n => !before.Replicas.Contains(n));
        var acked = ReplicatedTopic.Values("v", 0, 10);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[leader], acked, acks: -1)).ErrorCode);

        var response = await cluster[0].Endpoint.Ask<ReassignPartitionsResponse>(new ReassignPartitionsRequest
        {
            Partitions = { new PartitionReassignment { Topic = topic.Name, Partition = 0, Replicas = { newcomer, other } } },
        }, AskTimeout);
        Assert.Equal(0, response.Results.Single().ErrorCode);

        // The old leader hands over to an in-sync target replica, and leadership settles on the preferred one (the first),
        // so the endpoint produced to and read from below keeps leading.
        var after = await topic.AwaitPartitionAsync(newcomer, p =>
            p.Replicas.SequenceEqual([newcomer, other]) && p.LeaderId == newcomer && p.Isr.Count == 2, "replicas moved, the preferred target replica leads");
        Assert.DoesNotContain(leader, after.Isr);
        after = await topic.AwaitPartitionAsync(after.LeaderId, p => p.LeaderId == after.LeaderId, "the new leader's endpoint knows it leads");

        var more = ReplicatedTopic.Values("v", 10, 10);
        await Eventually.AssertAsync(async () =>
            Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[after.LeaderId], more, acks: -1)).ErrorCode), TestCluster.Timeout);
        acked.AddRange(more);
        foreach (var node in new[] { newcomer, other })
        {
            Assert.Equal(acked, topic.CopyOn(node).Select(r => r.Value).Take(acked.Count));
        }

        // The old leader's node holds no replica any more: once it has handed over, it deletes its copy.
        await Eventually.TrueAsync(() => !Directory.Exists(topic.DirectoryOn(leader)), TestCluster.Timeout, $"node {leader} deleted {topic.DirectoryOn(leader)}");
        var last = ReplicatedTopic.Values("v", 20, 10);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[after.LeaderId], last, acks: -1)).ErrorCode);
        acked.AddRange(last);
        foreach (var node in new[] { newcomer, other })
        {
            Assert.True(Directory.Exists(topic.DirectoryOn(node)), $"target replica {node} lost {topic.DirectoryOn(node)}");
            Assert.Equal(acked, topic.CopyOn(node).Select(r => r.Value).Take(acked.Count));
        }

        Assert.Equal(acked, await topic.FetchAllAsync(cluster[after.LeaderId], acked.Count));
        Assert.False(Directory.Exists(topic.DirectoryOn(leader)));

        // Bad input: a node that does not exist.
        var refused = await cluster[0].Endpoint.Ask<ReassignPartitionsResponse>(new ReassignPartitionsRequest
        {
            Partitions = { new PartitionReassignment { Topic = topic.Name, Partition = 0, Replicas = { 0, 42 } } },
        }, AskTimeout);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, (ErrorCode)refused.Results.Single().ErrorCode);
    }

    [Fact]
    public async Task A_node_that_was_down_while_its_replica_moved_away_must_delete_its_copy_when_it_restarts()
    {
        await using var cluster = await TestCluster.StartAsync(3, extra: "akka.cluster.sharding.rebalance-interval = 1s");
        var topic = await ReplicatedTopic.CreateAsync(cluster, "away", minInsync: 1, replicationFactor: 2);

        // The preferred leader, so leadership does not move back to it (rebalance) while the test goes on.
        var before = await topic.AwaitPartitionAsync(0, p => p.LeaderId >= 0 && p.LeaderId == p.Replicas[0] && p.Isr.Count == 2, "the preferred leader with 2 in-sync replicas");
        var leader = before.LeaderId;
        before = await topic.AwaitPartitionAsync(leader, p => p.LeaderId == leader && p.Isr.Count == 2, "the leader's endpoint knows it leads");
        // Node 0 is the oldest member (the controller runs there): the node that goes down is the other replica.
        var down = before.Replicas.First(r => r != 0);
        var stays = before.Replicas.Single(r => r != down);
        var newcomer = Enumerable.Range(0, 3).Single(n => !before.Replicas.Contains(n));
        var acked = ReplicatedTopic.Values("v", 0, 10);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[leader], acked, acks: -1)).ErrorCode);
        await Eventually.TrueAsync(() => topic.CopyOn(down).Count == acked.Count, TestCluster.Timeout, $"node {down} has every record");

        await cluster.StopNodeAsync(down);
        await topic.AwaitPartitionAsync(stays, p => p.LeaderId == stays && !p.Isr.Contains(down), "the staying replica leads without the gone node");
        var response = await cluster[stays].Endpoint.Ask<ReassignPartitionsResponse>(new ReassignPartitionsRequest
        {
            Partitions = { new PartitionReassignment { Topic = topic.Name, Partition = 0, Replicas = { newcomer, stays } } },
        }, AskTimeout);
        Assert.Equal(0, response.Results.Single().ErrorCode);
        await topic.AwaitPartitionAsync(newcomer, p => p.Replicas.SequenceEqual([newcomer, stays]) && p.LeaderId == newcomer && p.Isr.Count == 2, "replicas moved while the node was down, the preferred target replica leads");
        Assert.True(Directory.Exists(topic.DirectoryOn(down)), "the stopped node's copy is still on its disk");

        // The restarted node deletes the copy with its first snapshot, and the partition carries on without it.
        await cluster.StartNodeAsync(down);
        await Eventually.TrueAsync(() => !Directory.Exists(topic.DirectoryOn(down)), TestCluster.Timeout, $"restarted node {down} deleted {topic.DirectoryOn(down)}");
        var after = await topic.AwaitPartitionAsync(newcomer, p => p.LeaderId == newcomer, "the preferred target replica still leads");
        var more = ReplicatedTopic.Values("v", 10, 10);
        await Eventually.AssertAsync(async () =>
            Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[after.LeaderId], more, acks: -1)).ErrorCode), TestCluster.Timeout);
        acked.AddRange(more);
        foreach (var node in new[] { newcomer, stays })
        {
            Assert.True(Directory.Exists(topic.DirectoryOn(node)), $"target replica {node} lost {topic.DirectoryOn(node)}");
        }

        Assert.Equal(acked, await topic.FetchAllAsync(cluster[after.LeaderId], acked.Count));
        Assert.False(Directory.Exists(topic.DirectoryOn(down)));
    }
}
