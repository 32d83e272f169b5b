using Akka.Actor;
using Akka.Cluster;
using ActorStream.Broker.Tests.Group;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol.Client;
using ActorStream.Protocol.Group;
using ActorStream.TestKit;
using BrokerNode = ActorStream.Broker.Hosting.BrokerNode;
using GroupCoordinator = ActorStream.Broker.Group.GroupCoordinator;

namespace ActorStream.Broker.Tests.Postgres;

/// <summary>
/// The two-node hand-over of <see cref="Group.GroupCoordinatorHandOverSpec"/> with both nodes sharing a PostgreSQL journal:
/// the coordinator's new incarnation on the survivor recovers the group, its member and committed offsets from PostgreSQL.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class PostgresGroupCoordinatorHandOverSpec : IAsyncLifetime
{
    private PostgresSchema? _schema;

    private PostgresSchema Schema => _schema ?? throw new InvalidOperationException("The schema was not created");

    public async Task InitializeAsync() => _schema = await PostgresSchema.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }

    [Fact]
    public async Task Committed_offsets_and_membership_must_survive_a_hand_over_through_a_postgres_journal()
    {
        await using var cluster = await TestCluster.StartAsync(2, journal: Schema.JournalSpec);
        Assert.Equal(Schema.JournalSpec, cluster.Journal);
        var oldest = cluster.OldestIndex();
        var survivor = 1 - oldest;
        await Eventually.TrueAsync(() => cluster.HostsSingletonAsync(oldest, GroupCoordinator.Name), TestCluster.Timeout, "the coordinator runs on the oldest node");

        const string topic = "handed-over";
        const string group = "pg-group";
        // Replication factor 2, as in the SQLite spec: every partition finds a leader wherever sharding places it.
        var created = await cluster[oldest].Endpoint.Ask<CreateTopicsResponse>(
            new CreateTopicsRequest { Topics = { new CreatableTopic { Name = topic, NumPartitions = 2, ReplicationFactor = 2 } } }, TestCluster.Timeout);
        Assert.Equal(0, created.Results.Single().ErrorCode);

        var joined = await HandOverRequests.JoinWithBothPartitionsAsync(cluster[oldest], group, topic);
        var committed = await cluster[oldest].Endpoint.Ask<OffsetCommitResponse>(HandOverRequests.Commit(group, topic, joined, (0, 3, null), (1, 5, null)), TestCluster.Timeout);
        Assert.All(committed.Partitions, p => Assert.Equal(0, p.ErrorCode));

        await cluster.StopNodeAsync(oldest);

        Assert.Equal([survivor], cluster.Running);
        await Eventually.TrueAsync(() => cluster.HostsSingletonAsync(survivor, GroupCoordinator.Name), TestCluster.Timeout, "the coordinator moved to the survivor");
        await Eventually.AssertAsync(async () =>
            Assert.Equal([(0, 3L), (1, 5L)], await FetchAsync(cluster[survivor], group, topic)), TestCluster.Timeout);

        // The member and its generation were recovered too: it commits again without rejoining.
        var after = await cluster[survivor].Endpoint.Ask<OffsetCommitResponse>(HandOverRequests.Commit(group, topic, joined, (0, 7, null)), TestCluster.Timeout);
        Assert.All(after.Partitions, p => Assert.Equal(0, p.ErrorCode));
        Assert.Equal([(0, 7L), (1, 5L)], await FetchAsync(cluster[survivor], group, topic));
        Assert.Equal(MemberStatus.Up, Cluster.Get(cluster[survivor].System).SelfMember.Status);
        Assert.True(await Schema.CountRowsAsync("journal") > 0, "the cluster's events are in this fixture's PostgreSQL schema");
    }

    private static async Task<List<(int Partition, long Offset)>> FetchAsync(BrokerNode node, string group, string topic) =>
        (await HandOverRequests.FetchAsync(node, group, topic)).Select(p => (p.Partition, p.Offset)).ToList();
}
