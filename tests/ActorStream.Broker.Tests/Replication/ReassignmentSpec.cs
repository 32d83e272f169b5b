using Akka.Actor;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// Reassignment on a three-node cluster: a partition on [leader, b] moves to [c, b]; c catches up before the old
/// leader is dropped, leadership moves to a target replica, and no acknowledged record is lost.
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

        var after = await topic.AwaitPartitionAsync(newcomer, p =>
            p.Replicas.SequenceEqual([newcomer, other]) && p.LeaderId is var l && l != leader && l >= 0 && p.Isr.Count == 2, "replicas moved, a target replica leads");
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

        // Bad input: a node that does not exist.
        var refused = await cluster[0].Endpoint.Ask<ReassignPartitionsResponse>(new ReassignPartitionsRequest
        {
            Partitions = { new PartitionReassignment { Topic = topic.Name, Partition = 0, Replicas = { 0, 42 } } },
        }, AskTimeout);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, (ErrorCode)refused.Results.Single().ErrorCode);
    }
}
