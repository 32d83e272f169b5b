using Akka.Actor;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Tests.Support;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Tests.Admin;

/// <summary>
/// CreateTopics, CreatePartitions, DeleteTopics, DescribeCluster, DescribeAcls and AlterPartitionReassignments over the
/// wire of one real node (its Kafka listener, the generated codecs), checked against the node's own metadata.
/// </summary>
public sealed class TopicAdminApisSpec(KafkaNodeWireFixture fixture) : IClassFixture<KafkaNodeWireFixture>
{
    private const ErrorCode NoReassignmentInProgress = (ErrorCode)85;
    private readonly KafkaNodeWire _wire = fixture.Wire;

    private static string Topic() => "admin-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<Native.TopicMetadata?> NativeTopicAsync(string name)
    {
        var metadata = await _wire.Node.Endpoint.Ask<Native.MetadataResponse>(new Native.MetadataRequest { AllTopics = true }, TimeSpan.FromSeconds(30));
        return metadata.Topics.FirstOrDefault(t => t.Name == name);
    }

    private static CreateTopicsRequest.CreatableTopic Creatable(string name, int partitions = 1, short replicationFactor = 1, params (string Name, string? Value)[] configs)
    {
        var topic = new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = replicationFactor };
        topic.Configs.AddRange(configs.Select(c => new CreateTopicsRequest.CreatableTopicConfig { Name = c.Name, Value = c.Value }));
        return topic;
    }

    private Task<CreateTopicsResponse> CreateAsync(short version, bool validateOnly, params CreateTopicsRequest.CreatableTopic[] topics)
    {
        var request = new CreateTopicsRequest { timeoutMs = 30_000, validateOnly = validateOnly };
        request.Topics.AddRange(topics);
        return _wire.SendAsync<CreateTopicsRequest, CreateTopicsResponse>(request, version);
    }

    [Fact]
    public async Task CreateTopics_v7_creates_the_topic_and_answers_with_its_id_partitions_replication_factor_and_configs()
    {
        var name = Topic();
        var response = await CreateAsync(7, false, Creatable(name, 3, 1, ("retention.ms", "3600000")));

        var result = Assert.Single(response.Topics);
        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Null(result.ErrorMessage);
        Assert.Equal(3, result.NumPartitions);
        Assert.Equal((short)1, result.ReplicationFactor);
        var native = await NativeTopicAsync(name);
        Assert.NotNull(native);
        Assert.Equal(Guid.Parse(native.TopicId), result.TopicId);
        Assert.Equal(3, native.Partitions.Count);
        Assert.All(native.Partitions, p => Assert.True(p.LeaderId >= 0, "CreateTopics answers once every partition has a leader"));
        var retention = Assert.Single(result.Configs!, c => c.Name == "retention.ms");
        Assert.Equal("3600000", retention.Value);
        Assert.Equal((sbyte)1, retention.ConfigSource);
    }

    [Fact]
    public async Task CreateTopics_validate_only_checks_and_creates_nothing()
    {
        var name = Topic();
        var response = await CreateAsync(5, true, Creatable(name, -1, -1), Creatable("bad name!", 1, 1));

        Assert.Equal(2, response.Topics.Count);
        Assert.Equal((short)ErrorCode.None, response.Topics[0].ErrorCode);
        Assert.Equal(_wire.Node.Settings.NumPartitions, response.Topics[0].NumPartitions);
        Assert.Equal((short)ErrorCode.InvalidTopicException, response.Topics[1].ErrorCode);
        Assert.Null(await NativeTopicAsync(name));
    }

    [Fact]
    public async Task CreateTopics_answers_each_topic_with_its_own_error_and_message()
    {
        var existing = Topic();
        Assert.Equal((short)ErrorCode.None, (await CreateAsync(2, false, Creatable(existing))).Topics[0].ErrorCode);
        var good = Topic();
        var twice = Topic();

        var response = await CreateAsync(
            4,
            false,
            Creatable(existing),
            Creatable("bad/name", 1, 1),
            Creatable(Topic(), 0, 1),
            Creatable(Topic(), 1, 2),
            Creatable(Topic(), 1, 1, ("cleanup.policy", "compact")),
            Creatable(Topic(), 1, 1, ("retention.ms", null)),
            Creatable(twice),
            Creatable(twice),
            Creatable(good));

        var codes = response.Topics.Select(t => (ErrorCode)t.ErrorCode).ToList();
        Assert.Equal(
            new[] { ErrorCode.TopicAlreadyExists, ErrorCode.InvalidTopicException, ErrorCode.InvalidPartitions, ErrorCode.InvalidReplicationFactor, ErrorCode.InvalidConfig, ErrorCode.InvalidConfig, ErrorCode.InvalidRequest, ErrorCode.None },
            codes);
        Assert.All(response.Topics.Where(t => t.ErrorCode != 0), t => Assert.False(string.IsNullOrEmpty(t.ErrorMessage)));
        Assert.Contains("live nodes", response.Topics[3].ErrorMessage, StringComparison.Ordinal);
        Assert.NotNull(await NativeTopicAsync(good));
        Assert.Null(await NativeTopicAsync(twice));
    }

    [Fact]
    public async Task CreateTopics_keeps_a_manual_replica_assignment_and_refuses_a_wrong_one()
    {
        var self = _wire.Node.Settings.NodeId;
        var assigned = Creatable(Topic(), -1, -1);
        assigned.Assignments.AddRange(new[] { 0, 1 }.Select(p => new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = p, BrokerIds = [self] }));
        var unknownNode = Creatable(Topic(), -1, -1);
        unknownNode.Assignments.Add(new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [self + 7] });
        var withCount = Creatable(Topic(), 2, 1);
        withCount.Assignments.Add(new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [self] });

        var response = await CreateAsync(7, false, assigned, unknownNode, withCount);

        Assert.Equal(
            new[] { ErrorCode.None, ErrorCode.InvalidReplicaAssignment, ErrorCode.InvalidRequest }, response.Topics.Select(t => (ErrorCode)t.ErrorCode));
        Assert.Equal(2, response.Topics[0].NumPartitions);
        var native = await NativeTopicAsync(assigned.Name);
        Assert.Equal(new[] { new[] { self }, new[] { self } }, native!.Partitions.Select(p => p.Replicas.ToArray()));
    }

    [Fact]
    public async Task CreatePartitions_grows_a_topic_validate_only_does_not_and_shrinking_is_refused()
    {
        var name = Topic();
        Assert.Equal((short)ErrorCode.None, (await CreateAsync(7, false, Creatable(name, 1, 1))).Topics[0].ErrorCode);

        Task<CreatePartitionsResponse> GrowAsync(short version, bool validateOnly, params (string Name, int Count)[] topics)
        {
            var request = new CreatePartitionsRequest { TimeoutMs = 30_000, ValidateOnly = validateOnly };
            request.Topics.AddRange(topics.Select(t => new CreatePartitionsRequest.CreatePartitionsTopic { Name = t.Name, Count = t.Count, Assignments = null }));
            return _wire.SendAsync<CreatePartitionsRequest, CreatePartitionsResponse>(request, version);
        }

        var validated = await GrowAsync(3, true, (name, 4));
        Assert.Equal((short)ErrorCode.None, Assert.Single(validated.Results).ErrorCode);
        Assert.Single((await NativeTopicAsync(name))!.Partitions);

        var grown = await GrowAsync(0, false, (name, 3), ("no-such-topic", 2));
        Assert.Equal(
            new[] { ErrorCode.None, ErrorCode.UnknownTopicOrPartition }, grown.Results.Select(r => (ErrorCode)r.ErrorCode));
        Assert.Equal(3, (await NativeTopicAsync(name))!.Partitions.Count);

        var shrunk = await GrowAsync(2, false, (name, 2));
        Assert.Equal((short)ErrorCode.InvalidPartitions, Assert.Single(shrunk.Results).ErrorCode);
        Assert.Contains("never removed", shrunk.Results[0].ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteTopics_deletes_by_name_and_by_topic_id()
    {
        var byName = Topic();
        var byId = Topic();
        var created = await CreateAsync(7, false, Creatable(byName), Creatable(byId));
        var id = created.Topics[1].TopicId;

        var v1 = await _wire.SendAsync<DeleteTopicsRequest, DeleteTopicsResponse>(new DeleteTopicsRequest { TimeoutMs = 30_000, TopicNames = [byName, "no-such-topic"] }, 1);
        Assert.Equal(
            new[] { ErrorCode.None, ErrorCode.UnknownTopicOrPartition }, v1.Responses.Select(r => (ErrorCode)r.ErrorCode));

        var v6 = await _wire.SendAsync<DeleteTopicsRequest, DeleteTopicsResponse>(
            new DeleteTopicsRequest { TimeoutMs = 30_000, Topics = [new() { TopicId = id }, new() { TopicId = Guid.NewGuid() }] },
            6);
        Assert.Equal(
            new[] { ErrorCode.None, ErrorCode.UnknownTopicId }, v6.Responses.Select(r => (ErrorCode)r.ErrorCode));
        Assert.Equal(byId, v6.Responses[0].Name);
        Assert.Equal(id, v6.Responses[0].TopicId);
        Assert.Null(v6.Responses[1].Name);
        Assert.Null(await NativeTopicAsync(byName));
        Assert.Null(await NativeTopicAsync(byId));
    }

    [Fact]
    public async Task DescribeCluster_names_the_node_at_its_kafka_address_as_broker_and_controller()
    {
        var response = await _wire.SendAsync<DescribeClusterRequest, DescribeClusterResponse>(new DescribeClusterRequest(), 1);

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(_wire.Node.ClusterId, response.ClusterId);
        var broker = Assert.Single(response.Brokers);
        Assert.Equal(_wire.Node.Settings.NodeId, broker.BrokerId);
        Assert.Equal(_wire.KafkaPort, broker.Port);
        Assert.Equal(broker.BrokerId, response.ControllerId);
        Assert.Equal(int.MinValue, response.ClusterAuthorizedOperations);

        var controllers = await _wire.SendAsync<DescribeClusterRequest, DescribeClusterResponse>(new DescribeClusterRequest { EndpointType = 2 }, 1);
        Assert.Equal((short)119, controllers.ErrorCode);
        Assert.Empty(controllers.Brokers);
    }

    [Fact]
    public async Task DescribeAcls_answers_SECURITY_DISABLED_with_a_message()
    {
        var response = await _wire.SendAsync<DescribeAclsRequest, DescribeAclsResponse>(new DescribeAclsRequest { ResourceTypeFilter = 1, Operation = 1, PermissionType = 1 }, 3);

        Assert.Equal((short)54, response.ErrorCode);
        Assert.Contains("ACLs", response.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlterPartitionReassignments_checks_replicas_at_the_controller_and_has_nothing_to_cancel()
    {
        var name = Topic();
        Assert.Equal((short)ErrorCode.None, (await CreateAsync(7, false, Creatable(name, 2, 1))).Topics[0].ErrorCode);
        var self = _wire.Node.Settings.NodeId;
        var request = new AlterPartitionReassignmentsRequest
        {
            TimeoutMs = 30_000,
            Topics =
            [
                new()
                {
                    Name = name,
                    Partitions = [new() { PartitionIndex = 0, Replicas = [self + 5] }, new() { PartitionIndex = 1, Replicas = null }, new() { PartitionIndex = 9, Replicas = [self] }],
                },
            ],
        };

        var response = await _wire.SendAsync<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>(request, 0);

        var partitions = Assert.Single(response.Responses).Partitions;
        Assert.Equal(
            new[] { ErrorCode.InvalidReplicaAssignment, NoReassignmentInProgress, ErrorCode.UnknownTopicOrPartition }, partitions.Select(p => (ErrorCode)p.ErrorCode));
        Assert.Contains("not live", partitions[0].ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("No reassignment", partitions[1].ErrorMessage, StringComparison.Ordinal);
    }
}
