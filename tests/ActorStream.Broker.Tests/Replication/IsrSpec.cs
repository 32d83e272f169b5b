using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// The ISR follows what the followers actually fetch: a follower cut off from its leader leaves the ISR after
/// <c>replication.lag-time-max</c> (2 s here) and rejoins once it has caught up; <c>acks=all</c> needs
/// <c>min.insync.replicas</c> of them. The cut is a blackhole between the follower's and the leader's nodes only; the
/// failure detector is told to tolerate it, so cluster membership never changes and only replication sees the cut.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class IsrSpec
{
    private const string Config = """
        actorstream.broker {
          replication.lag-time-max = 2s
          # A follower's fetch lost in the blackhole is given up after fetch-wait-max + request-timeout.
          request-timeout = 5s
        }
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 120s
        """;

    [Fact]
    public async Task A_cut_off_follower_must_leave_the_ISR_and_rejoin_with_every_acknowledged_record_once_healed()
    {
        await using var cluster = await TestCluster.StartAsync(3, Config, throttled: true);
        var topic = await ReplicatedTopic.CreateAsync(cluster, "isr", minInsync: 2);
        var (leader, follower) = await AwaitLeaderAndCuttableFollowerAsync(topic);

        var acked = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var values = ReplicatedTopic.Values("a", i * 4, 4);
            Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[leader], values, acks: -1)).ErrorCode);
            acked.AddRange(values);
        }

        await NetworkCut.BlackholeAsync(cluster, follower, leader);
        var shrunk = await topic.AwaitPartitionAsync(leader, p => !p.Isr.Contains(follower), $"node {follower} out of the ISR");
        Assert.Equal(leader, shrunk.LeaderId);
        Assert.Equal(2, shrunk.Isr.Count);

        // Two in-sync replicas satisfy min.insync.replicas=2: acks=all goes on without the cut-off follower.
        var duringCut = ReplicatedTopic.Values("b", 0, 4);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[leader], duringCut, acks: -1)).ErrorCode);
        Assert.Equal(acked, topic.CopyOn(follower).Select(r => r.Value));
        acked.AddRange(duringCut);

        await NetworkCut.HealAsync(cluster, follower, leader);
        var expanded = await topic.AwaitPartitionAsync(leader, p => p.Isr.Count == 3, $"node {follower} back in the ISR");
        Assert.Equal(leader, expanded.LeaderId);
        Assert.True(expanded.LeaderEpoch == shrunk.LeaderEpoch, "the ISR changes must not have moved leadership");

        // A follower rejoins only once it has fetched up to the high watermark, which covers every acknowledged record.
        var copy = topic.CopyOn(follower);
        Assert.Equal(acked, copy.Select(r => r.Value));
        Assert.Equal(Enumerable.Range(0, acked.Count).Select(n => (long)n), copy.Select(r => r.Offset));
        Assert.Equal(topic.CopyOn(leader), copy);
    }

    [Fact]
    public async Task With_min_insync_3_a_shrunken_ISR_must_refuse_acks_all_but_accept_acks_1()
    {
        await using var cluster = await TestCluster.StartAsync(3, Config, throttled: true);
        var topic = await ReplicatedTopic.CreateAsync(cluster, "isr3", minInsync: 3);
        var (leader, follower) = await AwaitLeaderAndCuttableFollowerAsync(topic);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[leader], ReplicatedTopic.Values("a", 0, 4), acks: -1)).ErrorCode);

        await NetworkCut.BlackholeAsync(cluster, follower, leader);
        await topic.AwaitPartitionAsync(leader, p => p.LeaderId == leader && p.Isr.Count == 2 && !p.Isr.Contains(follower), $"node {follower} out of the ISR");

        var refused = await topic.ProduceAsync(cluster[leader], ReplicatedTopic.Values("b", 0, 4), acks: -1);
        Assert.Equal(ErrorCode.NotEnoughReplicas, (ErrorCode)refused.ErrorCode);
        var leaderOnly = await topic.ProduceAsync(cluster[leader], ReplicatedTopic.Values("c", 0, 4), acks: 1);
        Assert.Equal(ErrorCode.None, (ErrorCode)leaderOnly.ErrorCode);
        Assert.Equal(4, leaderOnly.BaseOffset);

        await NetworkCut.HealAsync(cluster, follower, leader);
        await topic.AwaitPartitionAsync(leader, p => p.Isr.Count == 3, $"node {follower} back in the ISR");

        // Back in sync, the healed node may be the preferred leader and take the partition back: write to whoever leads.
        ProducePartitionResponse? afterHeal = null;
        await Eventually.AssertAsync(
            async () =>
            {
                var now = await topic.AwaitPartitionAsync(leader, p => p.LeaderId >= 0 && p.Isr.Count == 3, "a leader with three in-sync replicas");
                afterHeal = await topic.ProduceAsync(cluster[now.LeaderId], ReplicatedTopic.Values("d", 0, 4), acks: -1);
                Assert.Equal(ErrorCode.None, (ErrorCode)afterHeal.ErrorCode);
            },
            TestCluster.Timeout);
        Assert.Equal(8, afterHeal!.BaseOffset);
    }

    /// <summary>
    /// The partition's leader once all three replicas are in sync, and a follower to cut off from it that does not host the
    /// controller (the leader must still reach the controller to change the ISR).
    /// </summary>
    private static async Task<(int Leader, int Follower)> AwaitLeaderAndCuttableFollowerAsync(ReplicatedTopic topic)
    {
        var cluster = topic.Cluster;
        var seen = await topic.AwaitPartitionAsync(0, p => p.LeaderId >= 0 && p.Isr.Count == 3, "a leader and three in-sync replicas");
        var leader = seen.LeaderId;
        await topic.AwaitPartitionAsync(leader, p => p.LeaderId == leader && p.Isr.Count == 3, "led by itself");
        var controller = cluster.OldestIndex(leader);
        var follower = seen.Replicas.First(r => r != leader && r != controller);
        return (leader, follower);
    }
}
