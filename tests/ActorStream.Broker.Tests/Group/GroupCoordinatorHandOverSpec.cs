using Akka.Actor;
using Akka.Cluster;
using ActorStream.TestKit;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol.Client;
using ActorStream.Protocol.Group;
using BrokerNode = ActorStream.Broker.Hosting.BrokerNode;
using GroupCoordinator = ActorStream.Broker.Group.GroupCoordinator;

namespace ActorStream.Broker.Tests.Group;

/// <summary>
/// The group coordinator singleton moves when its node leaves a two-node cluster: the new incarnation on the survivor recovers
/// groups and committed offsets from the shared journal.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class GroupCoordinatorHandOverSpec
{
    [Fact]
    public async Task Committed_offsets_and_membership_must_survive_a_hand_over_to_the_other_node()
    {
        await using var cluster = await TestCluster.StartAsync(2);
        var oldest = cluster.OldestIndex();
        var survivor = 1 - oldest;
        Assert.Equal(oldest, cluster.OldestIndex(observer: survivor));
        await Eventually.TrueAsync(() => cluster.HostsSingletonAsync(oldest, GroupCoordinator.Name), TestCluster.Timeout, "the coordinator runs on the oldest node");
        Assert.False(await cluster.HostsSingletonAsync(survivor, GroupCoordinator.Name));

        var topic = "t-" + Guid.NewGuid().ToString("N")[..12];
        var group = "g-" + Guid.NewGuid().ToString("N")[..12];
        // Replication factor 2: both nodes hold a replica, so each partition finds a leader wherever sharding places it (shard
        // allocation does not follow replicas yet; with factor 1 CreateTopics can wait its whole request timeout for leaders).
        var created = await cluster[oldest].Endpoint.Ask<CreateTopicsResponse>(
            new CreateTopicsRequest { Topics = { new CreatableTopic { Name = topic, NumPartitions = 2, ReplicationFactor = 2 } } }, TestCluster.Timeout);
        Assert.Equal(0, created.Results.Single().ErrorCode);

        var joined = await HandOverRequests.JoinWithBothPartitionsAsync(cluster[oldest], group, topic);
        var committed = await cluster[oldest].Endpoint.Ask<OffsetCommitResponse>(HandOverRequests.Commit(group, topic, joined, (0, 3, null), (1, 5, "meta")), TestCluster.Timeout);
        Assert.All(committed.Partitions, p => Assert.Equal(0, p.ErrorCode));

        await cluster.StopNodeAsync(oldest);

        Assert.Equal([survivor], cluster.Running);
        Assert.Equal(MemberStatus.Up, Cluster.Get(cluster[survivor].System).SelfMember.Status);
        await Eventually.TrueAsync(() => cluster.HostsSingletonAsync(survivor, GroupCoordinator.Name), TestCluster.Timeout, "the coordinator moved to the survivor");
        await Eventually.AssertAsync(async () =>
            Assert.Equal([(0, 3L, ""), (1, 5L, "meta")], await HandOverRequests.FetchAsync(cluster[survivor], group, topic)), TestCluster.Timeout);

        // The member and its generation were recovered too: it commits again without rejoining (a hand-over alone is no rebalance).
        var after = await cluster[survivor].Endpoint.Ask<OffsetCommitResponse>(HandOverRequests.Commit(group, topic, joined, (0, 7, null)), TestCluster.Timeout);
        Assert.All(after.Partitions, p => Assert.Equal(0, p.ErrorCode));
        Assert.Equal([(0, 7L, ""), (1, 5L, "meta")], await HandOverRequests.FetchAsync(cluster[survivor], group, topic));
        Assert.Equal(MemberStatus.Up, Cluster.Get(cluster[survivor].System).SelfMember.Status);
    }
}
