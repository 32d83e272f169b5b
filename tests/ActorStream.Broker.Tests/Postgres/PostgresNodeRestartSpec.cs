using Akka.Actor;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol.Client;
using ActorStream.Protocol.Group;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests.Postgres;

/// <summary>
/// <see cref="NodeRestartSpec"/> against a PostgreSQL journal: topics, records, committed offsets and the cluster id survive a
/// clean restart, and they live in this fixture's own schema.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class PostgresNodeRestartSpec : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-pg-restart", Guid.NewGuid().ToString("N"));
    private PostgresSchema? _schema;

    private PostgresSchema Schema => _schema ?? throw new InvalidOperationException("The schema was not created");

    public async Task InitializeAsync() => _schema = await PostgresSchema.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Topics_records_and_committed_offsets_must_survive_a_clean_restart()
    {
        int port;
        string clusterId;
        await using (var node = await TestNode.StartAsync(_dir, journal: Schema.JournalSpec))
        {
            port = node.Settings.Port;
            clusterId = node.ClusterId;
            var created = await node.Endpoint.Ask<CreateTopicsResponse>(new CreateTopicsRequest { Topics = { new CreatableTopic { Name = "durable", NumPartitions = 2, ReplicationFactor = 1 } } }, NodeFixture.Timeout);
            Assert.Equal(0, created.Results.Single().ErrorCode);
            var produced = await node.Endpoint.Ask<ProduceResponse>(new ProduceRequest { Acks = -1, TimeoutMs = 30_000, Partitions = { new ProducePartitionData { Topic = "durable", Partition = 1, Records = NodeFixture.Batch(3, "before") } } }, NodeFixture.Timeout);
            Assert.Equal(0, produced.Partitions.Single().ErrorCode);
            // A standalone commit (no member, generation -1), as a consumer using assign() makes.
            var committed = await node.Endpoint.Ask<OffsetCommitResponse>(
                new OffsetCommitRequest { GroupId = "readers", MemberId = "", GenerationId = -1, Offsets = { new OffsetCommitPartition { Topic = "durable", Partition = 1, Offset = 2, Metadata = "half-way" } } },
                NodeFixture.Timeout);
            Assert.All(committed.Partitions, p => Assert.Equal(0, p.ErrorCode));
        }

        // The metadata went to PostgreSQL, into this fixture's schema, and not to a SQLite file in the data dir.
        Assert.Contains("journal", await Schema.TablesAsync());
        Assert.True(await Schema.CountRowsAsync("journal") > 0);
        Assert.False(File.Exists(Path.Combine(_dir, "metadata.db")));

        await using var restarted = await TestNode.StartAsync(_dir, port, journal: Schema.JournalSpec);
        Assert.Equal(clusterId, restarted.ClusterId);
        var after = await restarted.Endpoint.Ask<ProduceResponse>(new ProduceRequest { Acks = -1, TimeoutMs = 30_000, Partitions = { new ProducePartitionData { Topic = "durable", Partition = 1, Records = NodeFixture.Batch(1, "after") } } }, NodeFixture.Timeout);
        Assert.Equal(3, after.Partitions.Single().BaseOffset);
        var fetched = await restarted.Endpoint.Ask<FetchResponse>(new FetchRequest { Partitions = { new FetchPartition { Topic = "durable", Partition = 1, FetchOffset = 0 } } }, NodeFixture.Timeout);
        Assert.Equal(["before0", "before1", "before2", "after0"], NodeFixture.Values(fetched.Partitions[0].Records));
        var offsets = await restarted.Endpoint.Ask<OffsetFetchResponse>(
            new OffsetFetchRequest { GroupId = "readers", Partitions = { new GroupPartition { Topic = "durable", Partition = 0 }, new GroupPartition { Topic = "durable", Partition = 1 } } },
            NodeFixture.Timeout);
        Assert.Equal(0, offsets.ErrorCode);
        Assert.Equal([(0, -1L, ""), (1, 2L, "half-way")], offsets.Partitions.Select(p => (p.Partition, p.Offset, p.Metadata)).OrderBy(p => p.Partition).ToList());
    }

    [Fact]
    public async Task A_node_on_another_schema_of_the_same_database_must_not_see_this_cluster()
    {
        string clusterId;
        await using (var node = await TestNode.StartAsync(_dir, journal: Schema.JournalSpec))
        {
            clusterId = node.ClusterId;
            var created = await node.Endpoint.Ask<CreateTopicsResponse>(new CreateTopicsRequest { Topics = { new CreatableTopic { Name = "private", NumPartitions = 1, ReplicationFactor = 1 } } }, NodeFixture.Timeout);
            Assert.Equal(0, created.Results.Single().ErrorCode);
        }

        await using var otherSchema = await PostgresSchema.CreateAsync();
        var otherDir = Path.Combine(_dir, "other");
        await using var other = await TestNode.StartAsync(otherDir, journal: otherSchema.JournalSpec);
        Assert.NotEqual(clusterId, other.ClusterId);
        var metadata = await other.Endpoint.Ask<MetadataResponse>(new MetadataRequest { AllTopics = true }, NodeFixture.Timeout);
        Assert.DoesNotContain(metadata.Topics, t => t.Name == "private");
    }
}
