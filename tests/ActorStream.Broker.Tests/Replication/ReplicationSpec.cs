using Akka.Actor;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.TestKit;
using Google.Protobuf;
using BrokerNode = ActorStream.Broker.Hosting.BrokerNode;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// Replication on a three-node in-process cluster (replication factor 3, min.insync.replicas 2): acknowledged records
/// are on every in-sync replica, and when the leader's node leaves, an in-sync follower takes over with nothing
/// acknowledged lost. (Stopping a node in-process is a graceful leave, not a crash: the kill -9 claims are in the
/// process tests.)
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class ReplicationSpec
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Acknowledged_records_must_be_on_every_in_sync_replica_and_survive_the_leader_leaving()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var topic = await ReplicatedTopic.CreateAsync(cluster, "rep", minInsync: 2);

        var first = await topic.AwaitPartitionAsync(0, p => p.LeaderId >= 0 && p.Isr.Count == 3, "a leader with 3 in-sync replicas");
        var leader = first.LeaderId;
        // Metadata reaches each node's endpoint on its own: wait until the leader's own endpoint routes to the partition.
        first = await topic.AwaitPartitionAsync(leader, p => p.LeaderId == leader && p.Isr.Count == 3, "the leader's endpoint knows it leads");
        var acked = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var values = ReplicatedTopic.Values("v", i * 5, 5);
            Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[leader], values, acks: -1)).ErrorCode);
            acked.AddRange(values);
        }

        // acks=all answered: every replica still in the ISR has every record, at the same offsets.
        var isr = (await topic.AwaitPartitionAsync(leader, _ => true, "metadata")).Isr;
        Assert.True(isr.Count >= 2, $"ISR [{string.Join(',', isr)}] fell below min.insync.replicas while acks=all succeeded");
        foreach (var node in isr)
        {
            var copy = topic.CopyOn(node);
            Assert.Equal(acked, copy.Select(r => r.Value).Take(acked.Count));
            Assert.Equal(Enumerable.Range(0, acked.Count).Select(n => (long)n), copy.Take(acked.Count).Select(r => r.Offset));
        }

        // The leader's node leaves: an in-sync follower takes over with a newer epoch and keeps every acknowledged record.
        // The controller takes the gone node out of the ISR once it is removed from the cluster (a graceful leave hands the
        // shard over a little earlier, so a new leader may show up first).
        await cluster.StopNodeAsync(leader);
        var survivor = cluster.Running[0];
        var failedOver = await topic.AwaitPartitionAsync(survivor, p => p.LeaderId >= 0 && p.LeaderId != leader && !p.Isr.Contains(leader), "a new leader without the gone node");
        failedOver = await topic.AwaitPartitionAsync(failedOver.LeaderId, p => p.LeaderId == failedOver.LeaderId, "the new leader's endpoint knows it leads");
        Assert.True(failedOver.LeaderEpoch > first.LeaderEpoch);

        var more = ReplicatedTopic.Values("v", 100, 5);
        await Eventually.AssertAsync(async () =>
            Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[failedOver.LeaderId], more, acks: -1)).ErrorCode), TestCluster.Timeout);
        acked.AddRange(more);

        var read = await topic.FetchAllAsync(cluster[failedOver.LeaderId], acked.Count);
        Assert.Equal(acked, read.Distinct().ToList());
        Assert.Equal(acked.Count, read.Count);
    }
}
