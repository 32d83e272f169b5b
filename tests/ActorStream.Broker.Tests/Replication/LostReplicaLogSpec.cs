using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using ActorStream.Broker.Controller;
using ActorStream.Broker.Partition;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// Issue 11, item 2(a): a replica whose log was deleted while its node was down, and that the controller still lists
/// in the ISR (a restart the cluster did not notice: set up here by an ISR change sent as the leader would), must leave
/// the ISR as soon as it shows its short log, catch up from the in-sync replicas as a follower, and rejoin; no
/// acknowledged record is lost and the high watermark never waits for it. The lag check is set far off (60 s), so only
/// the lost-log check can take the replica out.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class LostReplicaLogSpec
{
    private const string Config = "actorstream.broker.replication.lag-time-max = 60s";

    [Fact]
    public async Task A_replica_whose_log_was_deleted_must_leave_the_ISR_catch_up_and_lose_nothing()
    {
        await using var cluster = await TestCluster.StartAsync(3, Config);
        var topic = await ReplicatedTopic.CreateAsync(cluster, "lost", minInsync: 2);
        var first = await topic.AwaitPartitionAsync(0, p => p.LeaderId >= 0 && p.Isr.Count == 3, "a leader with 3 in-sync replicas");
        var leader = first.LeaderId;
        await topic.AwaitPartitionAsync(leader, p => p.LeaderId == leader && p.Isr.Count == 3, "the leader's endpoint knows it leads");
        var acked = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var values = ReplicatedTopic.Values("v", i * 5, 5);
            Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[leader], values, acks: -1)).ErrorCode);
            acked.AddRange(values);
        }

        // A follower that does not host the controller, with every record; stopped, its partition directory deleted.
        var victim = first.Replicas.Where(r => r != leader && r != cluster.OldestIndex()).Max();
        await Eventually.AssertAsync(() =>
        {
            Assert.Equal(acked, topic.CopyOn(victim).Select(r => r.Value));
            return Task.CompletedTask;
        }, TestCluster.Timeout);
        await cluster.StopNodeAsync(victim);
        await topic.AwaitPartitionAsync(leader, p => !p.Isr.Contains(victim), "the stopped follower left the ISR");
        Directory.Delete(topic.DirectoryOn(victim), recursive: true);

        // The controller lists it in the ISR again, as if it had never been seen to go.
        var controller = cluster[leader].System.ActorSelection(InSyncReplicaAllocationStrategy.ControllerProxyPath);
        var state = (await controller.Ask<MetadataSnapshot>(new GetMetadataSnapshot(), TestCluster.Timeout))
            .Topics.Single(t => t.TopicId == topic.TopicId).Partitions.Single();
        var alter = new AlterIsr { TopicId = topic.TopicId, Partition = 0, LeaderId = state.LeaderId, LeaderEpoch = state.LeaderEpoch, PartitionEpoch = state.PartitionEpoch };
        alter.NewIsr.AddRange(state.Isr.Append(victim));
        var altered = await controller.Ask<AlterIsrResult>(alter, TestCluster.Timeout);
        Assert.Equal(ErrorCode.None, (ErrorCode)altered.ErrorCode);
        await topic.AwaitPartitionAsync(leader, p => p.Isr.Contains(victim), "the deleted replica listed in the ISR");

        // Every ISR the controller publishes from now on, seen on its own node (no subscription gossip to wait for).
        var controllerNode = cluster[cluster.OldestIndex()].System;
        var seen = new ConcurrentQueue<int[]>();
        var observer = controllerNode.ActorOf(Props.Create(() => new IsrRecorder(topic.TopicId, seen)));
        await DistributedPubSub.Get(controllerNode).Mediator.Ask<SubscribeAck>(new Subscribe(ClusterController.MetadataTopic, observer), TestCluster.Timeout);

        await cluster.StartNodeAsync(victim);

        // Out of the ISR as soon as its short log shows, then back once caught up.
        await Eventually.TrueAsync(() => seen.Any(isr => !isr.Contains(victim)), TestCluster.Timeout, $"node {victim} taken out of the ISR");
        var healed = await topic.AwaitPartitionAsync(leader, p => p.Isr.Contains(victim) && p.Isr.Count == 3, "the replica caught up and rejoined the ISR");
        Assert.NotEqual(victim, healed.LeaderId);

        var more = ReplicatedTopic.Values("w", 0, 5);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[healed.LeaderId], more, acks: -1)).ErrorCode);
        acked.AddRange(more);
        Assert.Equal(acked, await topic.FetchAllAsync(cluster[healed.LeaderId], acked.Count));
        await Eventually.AssertAsync(() =>
        {
            Assert.Equal(acked, topic.CopyOn(victim).Select(r => r.Value));
            return Task.CompletedTask;
        }, TestCluster.Timeout);
    }

    /// <summary>Records every ISR of the topic's partition 0 the controller publishes.</summary>
    private sealed class IsrRecorder : ReceiveActor
    {
        public IsrRecorder(string topicId, ConcurrentQueue<int[]> seen)
        {
            Receive<MetadataSnapshot>(snapshot =>
            {
                if (snapshot.Topics.FirstOrDefault(t => t.TopicId == topicId)?.Partitions.FirstOrDefault() is { } partition)
                {
                    seen.Enqueue([.. partition.Isr]);
                }
            });
        }
    }
}
