using ActorStream.Broker.Logs;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Storage.Log;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// A follower whose segment was damaged while it was down (a flipped byte in the middle of its log, as after a crash
/// with no clean-shutdown marker) cuts its log at the first bad batch on recovery, is not in the ISR while behind,
/// fetches the rest again from the leader, and ends with exactly the leader's log; the healthy replicas lose nothing.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class CorruptReplicaSpec
{
    [Fact]
    public async Task A_replica_with_a_corrupt_segment_must_be_repaired_from_the_leader_and_never_spread_the_damage()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var topic = await ReplicatedTopic.CreateAsync(cluster, "corrupt", minInsync: 2);
        var first = await topic.AwaitPartitionAsync(0, p => p.LeaderId >= 0 && p.Isr.Count == 3, "a leader with 3 in-sync replicas");
        var leader = first.LeaderId;
        await topic.AwaitPartitionAsync(leader, p => p.LeaderId == leader && p.Isr.Count == 3, "the leader's endpoint knows it leads");
        var acked = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var values = ReplicatedTopic.Values("v", i * 5, 5);
            Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[leader], values, acks: -1)).ErrorCode);
            acked.AddRange(values);
        }

        // A follower that is not the oldest node (the controller's host stays up), with every record.
        var victim = first.Replicas.Where(r => r != leader).OrderByDescending(r => r).First();
        await Eventually.AssertAsync(() =>
        {
            Assert.Equal(acked, topic.CopyOn(victim).Select(r => r.Value));
            return Task.CompletedTask;
        }, TestCluster.Timeout);
        await cluster.StopNodeAsync(victim);
        var survivor = cluster.Running[0];
        await topic.AwaitPartitionAsync(survivor, p => !p.Isr.Contains(victim), "the stopped follower left the ISR");

        // Damage the middle of its only segment and make the next open recover as after a crash.
        var dir = Path.Combine(cluster.DataDir(victim), "logs", LogManager.DirectoryName(topic.Name, 0, topic.TopicId));
        var segment = Directory.GetFiles(dir, "*" + LogFileUtils.LogSuffix).Single();
        var bytes = await File.ReadAllBytesAsync(segment);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes);
        File.Delete(Path.Combine(dir, LogFileUtils.CleanShutdownFile));
        File.Delete(Path.Combine(dir, LogFileUtils.RecoveryPointFile));

        // Recovery (here on a copy of the damaged files) keeps only the batches before the bad one.
        var recovered = topic.CopyOn(victim).Select(r => r.Value).ToList();
        Assert.True(recovered.Count < acked.Count, $"the damage was not detected: {recovered.Count} of {acked.Count} records survived recovery");
        Assert.Equal(acked.Take(recovered.Count), recovered);

        await cluster.StartNodeAsync(victim);
        var healed = await topic.AwaitPartitionAsync(leader, p => p.Isr.Contains(victim), "the repaired follower is back in the ISR");
        Assert.Equal(leader, healed.LeaderId);
        Assert.Equal(acked, topic.CopyOn(victim).Select(r => r.Value));
        Assert.Equal(Enumerable.Range(0, acked.Count).Select(n => (long)n), topic.CopyOn(victim).Select(r => r.Offset));
        foreach (var healthy in first.Replicas.Where(r => r != victim))
        {
            Assert.Equal(acked, topic.CopyOn(healthy).Select(r => r.Value));
        }
    }
}
