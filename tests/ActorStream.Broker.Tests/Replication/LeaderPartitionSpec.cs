using Akka.Actor;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.TestKit;
using Xunit.Abstractions;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// A network partition isolates the leader's node (blackholed from both others; RF 3, min.insync.replicas 2, the cluster
/// profile's failure detector and split brain resolver). The isolated old leader may still take <c>acks=1</c> writes, but
/// never acknowledges <c>acks=all</c>; the majority downs it, fails over to an in-sync replica and acknowledges. The old
/// node, downed, must come back as a new incarnation: it truncates its divergent tail and ends with exactly the new
/// leader's log. So two incarnations never both acknowledge <c>acks=all</c>.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class LeaderPartitionSpec(ITestOutputHelper output)
{
    private const string Config = """
        actorstream.broker.replication.lag-time-max = 6s
        """;

    [Theory]
    [InlineData(false)]
    // The isolated leader asks to shrink the ISR to itself; with the controller on its side too, the controller must refuse
    // (the followers are unreachable, not known to be gone), or the majority could never elect a leader again. This needs
    // lag-time-max (6 s here, 10 s by default) longer than failure detection (~3.5 s): the followers are unreachable by then.
    [InlineData(true)]
    public async Task An_isolated_leader_must_not_acknowledge_acks_all_and_must_end_with_the_majoritys_log(bool leaderHostsTheController)
    {
        await using var cluster = await TestCluster.StartAsync(3, Config, throttled: true);
        var (topic, first) = await CreateTopicLedAsync(cluster, leaderHostsTheController);
        var old = first.LeaderId;
        var majority = cluster.Running.Where(i => i != old).ToList();
        output.WriteLine($"Old leader: node {old}; controller on node {cluster.OldestIndex(old)}");

        var acked = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var values = ReplicatedTopic.Values("a", i * 4, 4);
            Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[old], values, acks: -1)).ErrorCode);
            acked.AddRange(values);
        }

        var oldSystem = cluster[old].System;
        foreach (var peer in majority)
        {
            await NetworkCut.BlackholeAsync(cluster, old, peer);
        }

        // The isolated leader still leads until it downs itself: acks=1 lands in its log only (a tail the majority never sees).
        var divergent = ReplicatedTopic.Values("x", 0, 4);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[old], divergent, acks: 1)).ErrorCode);

        // acks=all to the minority side: fails or times out, never acknowledged, until its node is gone.
        var minorityAnswers = new List<ErrorCode>();
        for (var i = 0; !oldSystem.WhenTerminated.IsCompleted; i++)
        {
            var values = ReplicatedTopic.Values("y", i * 4, 4);
            divergent.AddRange(values);
            try
            {
                minorityAnswers.Add((ErrorCode)(await topic.ProduceAsync(cluster[old], values, acks: -1, timeoutMs: 1000)).ErrorCode);
            }
            catch (AskTimeoutException) when (oldSystem.WhenTerminated.IsCompleted)
            {
            }
        }

        output.WriteLine($"The isolated leader answered acks=all with: {string.Join(", ", minorityAnswers.CountBy(a => a).Select(c => $"{c.Key} x{c.Value}"))}");
        Assert.NotEmpty(minorityAnswers);
        Assert.DoesNotContain(ErrorCode.None, minorityAnswers);
        await cluster.AwaitTerminatedAsync(old, TestCluster.Timeout);

        // The majority fails over to an in-sync replica with a newer epoch and acknowledges acks=all.
        var failedOver = await topic.AwaitPartitionAsync(majority[0], p => p.LeaderId >= 0 && p.LeaderId != old && !p.Isr.Contains(old), "a new leader without the isolated node");
        var leader = failedOver.LeaderId;
        failedOver = await topic.AwaitPartitionAsync(leader, p => p.LeaderId == leader, "led by itself");
        Assert.True(failedOver.LeaderEpoch > first.LeaderEpoch, $"epoch {failedOver.LeaderEpoch} must be newer than {first.LeaderEpoch}");
        var afterFailover = ReplicatedTopic.Values("b", 0, 4);
        await Eventually.AssertAsync(async () =>
            Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[leader], afterFailover, acks: -1, timeoutMs: 5000)).ErrorCode),
            TestCluster.Timeout);
        acked.AddRange(afterFailover);
        output.WriteLine($"New leader: node {leader}, epoch {failedOver.LeaderEpoch}");

        // A new incarnation of the old node rejoins as a follower, truncates its tail and catches up.
        await cluster.StartNodeAsync(old);
        await cluster.WaitForMembersUpAsync();
        await topic.AwaitPartitionAsync(leader, p => p.LeaderId == leader && p.Isr.Contains(old) && p.Isr.Count == 3, $"node {old} back in the ISR");

        var leaderCopy = topic.CopyOn(leader);
        var oldCopy = topic.CopyOn(old);
        Assert.Equal(leaderCopy, oldCopy);
        Assert.Equal(acked.Take(20), leaderCopy.Take(20).Select(r => r.Value));
        Assert.Superset(acked.ToHashSet(), leaderCopy.Select(r => r.Value).ToHashSet());
        Assert.Empty(oldCopy.Select(r => r.Value).Intersect(divergent));
        Assert.Equal(Enumerable.Range(0, leaderCopy.Count).Select(n => (long)n), leaderCopy.Select(r => r.Offset));
    }

    /// <summary>
    /// A topic whose leader does (or does not) share its node with the controller (the oldest node). The preferred leader
    /// is random, so topics are created until one fits.
    /// </summary>
    private static async Task<(ReplicatedTopic Topic, PartitionMetadata First)> CreateTopicLedAsync(TestCluster cluster, bool byTheControllersNode)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var topic = await ReplicatedTopic.CreateAsync(cluster, "split", minInsync: 2);
            var seen = await topic.AwaitPartitionAsync(0, p => p.LeaderId >= 0 && p.Isr.Count == 3, "a leader and three in-sync replicas");
            var leader = seen.LeaderId;
            if ((cluster.OldestIndex(leader) == leader) == byTheControllersNode)
            {
                return (topic, await topic.AwaitPartitionAsync(leader, p => p.LeaderId == leader && p.Isr.Count == 3, "led by itself"));
            }
        }

        throw new InvalidOperationException("No topic got the wanted leader in 20 attempts");
    }
}
