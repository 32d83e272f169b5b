using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.TestKit.TestActors;
using ActorStream.TestKit;
using ActorStream.Broker.Controller;
using ActorStream.Broker.Partition;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Tests;

public sealed class ControllerSpec(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    public async Task Invalid_topic_names_must_be_rejected_with_INVALID_TOPIC(string name)
    {
        var result = await fixture.CreateTopicAsync(name);
        Assert.Equal((int)ErrorCode.InvalidTopicException, result.ErrorCode);
        Assert.False(string.IsNullOrEmpty(result.ErrorMessage));
    }

    [Fact]
    public async Task A_too_long_topic_name_must_be_rejected() =>
        Assert.Equal((int)ErrorCode.InvalidTopicException, (await fixture.CreateTopicAsync(new string('x', 250))).ErrorCode);

    [Fact]
    public async Task Creating_an_existing_topic_must_answer_TOPIC_ALREADY_EXISTS()
    {
        Assert.Equal(0, (await fixture.CreateTopicAsync("dup")).ErrorCode);
        var again = await fixture.CreateTopicAsync("dup");
        Assert.Equal((int)ErrorCode.TopicAlreadyExists, again.ErrorCode);
    }

    [Fact]
    public async Task Bad_partition_counts_replication_factors_and_configs_must_be_rejected()
    {
        var response = await fixture.Ask<CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics =
            {
                new CreatableTopic { Name = "zero-partitions", NumPartitions = 0, ReplicationFactor = 1 },
                new CreatableTopic { Name = "rf-too-high", NumPartitions = 1, ReplicationFactor = 3 },
                new CreatableTopic { Name = "bad-config", NumPartitions = 1, ReplicationFactor = 1, Configs = { ["retention.ms"] = "soon" } },
                new CreatableTopic { Name = "compacted", NumPartitions = 1, ReplicationFactor = 1, Configs = { ["cleanup.policy"] = "compact" } },
            },
        });
        Assert.Equal(
            [(int)ErrorCode.InvalidPartitions, (int)ErrorCode.InvalidReplicationFactor, (int)ErrorCode.InvalidConfig, (int)ErrorCode.InvalidConfig],
            response.Results.Select(r => r.ErrorCode));
    }

    [Fact]
    public async Task Deleting_a_topic_must_remove_its_files_and_recreating_it_must_start_empty_with_a_new_id()
    {
        var created = await fixture.CreateTopicAsync("recycled");
        await fixture.ProduceAsync("recycled", 0, NodeFixture.Batch(3));
        var logDir = Path.Combine(fixture.Node.Settings.LogsDir, $"recycled-0-{created.TopicId}");
        Assert.True(Directory.Exists(logDir));

        var deleted = await fixture.Ask<DeleteTopicsResponse>(new DeleteTopicsRequest { Names = { "recycled" } });
        Assert.Equal(0, Assert.Single(deleted.Results).ErrorCode);
        await Eventually.TrueAsync(() => !Directory.Exists(logDir), NodeFixture.Timeout, "the deleted topic's log directory is removed");

        var recreated = await fixture.CreateTopicAsync("recycled");
        Assert.NotEqual(created.TopicId, recreated.TopicId);
        Assert.Equal(0, (await fixture.ProduceAsync("recycled", 0, NodeFixture.Batch(1, "new"))).BaseOffset);
        Assert.Equal(["new0"], NodeFixture.Values((await fixture.FetchAsync("recycled", 0, 0)).Records));
    }

    [Fact]
    public async Task Deleting_a_topic_must_list_its_id_as_deleted_in_the_metadata_snapshot()
    {
        var created = await fixture.CreateTopicAsync("tombstoned");
        var kept = await fixture.CreateTopicAsync("not-tombstoned");

        var deleted = await fixture.Ask<DeleteTopicsResponse>(new DeleteTopicsRequest { Names = { "tombstoned" } });
        Assert.Equal(0, Assert.Single(deleted.Results).ErrorCode);

        var snapshot = await fixture.Node.System.ActorSelection(InSyncReplicaAllocationStrategy.ControllerProxyPath)
            .Ask<MetadataSnapshot>(new GetMetadataSnapshot(), NodeFixture.Timeout);
        Assert.Contains(created.TopicId, snapshot.DeletedTopicIds);
        Assert.DoesNotContain(kept.TopicId, snapshot.DeletedTopicIds);
        Assert.DoesNotContain(snapshot.Topics, t => t.TopicId == created.TopicId);
    }

    /// <summary>
    /// The controller actor alone in a one-member cluster with the in-memory journal, stopped and started again: the
    /// tombstone comes back from the journal's events, or (a snapshot saved after every event) from the controller snapshot.
    /// </summary>
    [Theory]
    [InlineData(ClusterController.DefaultSnapshotEvery)]
    [InlineData(1)]
    public async Task A_deleted_topic_id_must_survive_a_controller_restart(int snapshotEvery)
    {
        var settings = BrokerSettings.Create(TestNode.Config(fixture.DataDir).GetConfig("actorstream.broker"));
        var config = ConfigurationFactory.ParseString("""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            akka.loglevel = WARNING
            """).WithFallback(ProtocolConfig.Default);
        using var system = ActorSystem.Create("controller-restart", config);
        var cluster = Akka.Cluster.Cluster.Get(system);
        await cluster.JoinAsync(cluster.SelfAddress);
        var partitions = system.ActorOf(Props.Create<BlackHoleActor>(), "partitions");
        var controller = system.ActorOf(ClusterController.Props(settings, partitions, snapshotEvery), "controller-1");
        var registration = new NodeRegistration { NodeId = settings.NodeId, Host = "127.0.0.1", Port = 9092, Address = cluster.SelfAddress.ToString() };
        Assert.Equal(0, (await controller.Ask<NodeRegistered>(registration, NodeFixture.Timeout)).ErrorCode);
        var created = await controller.Ask<CreateTopicsResponse>(
            new CreateTopicsRequest { Topics = { new CreatableTopic { Name = "gone", NumPartitions = 2, ReplicationFactor = 1 } } }, NodeFixture.Timeout);
        var topicId = Assert.Single(created.Results).TopicId;
        var deleted = await controller.Ask<DeleteTopicsResponse>(new DeleteTopicsRequest { Names = { "gone" } }, NodeFixture.Timeout);
        Assert.Equal(0, Assert.Single(deleted.Results).ErrorCode);
        if (snapshotEvery == 1)
        {
            var snapshotStore = Persistence.Instance.Apply(system).SnapshotStoreFor(null);
            await Eventually.TrueAsync(
                async () => (await snapshotStore.Ask<LoadSnapshotResult>(new LoadSnapshot("controller", SnapshotSelectionCriteria.Latest, long.MaxValue), NodeFixture.Timeout))
                    .Snapshot?.Snapshot is ControllerSnapshot saved && saved.DeletedTopicIds.Contains(topicId),
                NodeFixture.Timeout,
                "the saved controller snapshot holds the deleted topic id");
        }

        await controller.GracefulStop(NodeFixture.Timeout);
        var restarted = system.ActorOf(ClusterController.Props(settings, partitions, snapshotEvery), "controller-2");

        var snapshot = await restarted.Ask<MetadataSnapshot>(new GetMetadataSnapshot(), NodeFixture.Timeout);
        Assert.Equal([topicId], snapshot.DeletedTopicIds);
        Assert.Empty(snapshot.Topics);
        await cluster.LeaveAsync();
    }

    [Fact]
    public async Task Deleting_an_unknown_topic_must_answer_UNKNOWN_TOPIC_OR_PARTITION()
    {
        var deleted = await fixture.Ask<DeleteTopicsResponse>(new DeleteTopicsRequest { Names = { "never-was" } });
        Assert.Equal((int)ErrorCode.UnknownTopicOrPartition, Assert.Single(deleted.Results).ErrorCode);
    }

    [Fact]
    public async Task Producer_ids_must_be_unique()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await fixture.Ask<InitProducerIdResponse>(new InitProducerIdRequest())).ProducerId);
        }

        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
