using Akka.Actor;
using Confluent.Kafka;
using ActorStream.Kafka.Messages;
using ErrorCode = ActorStream.Protocol.ErrorCode;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Tests.DataPath;

/// <summary>A 3-node in-process cluster with a Kafka listener on every node, for <see cref="ClusterDataPathSpec"/>.</summary>
public sealed class KafkaDataCluster : IAsyncLifetime
{
    private TestCluster? _cluster;

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started");

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(3, kafka: true);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>
/// Against 3 nodes: every node answers Metadata with every node's Kafka address, requests for partitions led
/// elsewhere get NOT_LEADER_OR_FOLLOWER, and a Confluent.Kafka producer and consumer bootstrapped from one node move to
/// the leaders; FindCoordinator names the same node from every node.
/// </summary>
public sealed class ClusterDataPathSpec(KafkaDataCluster fixture, ITestOutputHelper output) : IClassFixture<KafkaDataCluster>
{
    private TestCluster Cluster => fixture.Cluster;

    private async Task<string> CreateTopicAsync(int partitions)
    {
        var topic = KafkaDataNode.UniqueTopic("cluster");
        var request = new Native.CreateTopicsRequest();
        // Replication factor 3: the cluster profile's min.insync.replicas is 2, so acks=all needs two replicas.
        request.Topics.Add(new Native.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = 3 });
        var response = await Cluster[0].Endpoint.Ask<Native.CreateTopicsResponse>(request, TestCluster.Timeout);
        Assert.Equal(0, response.Results[0].ErrorCode);
        return topic;
    }

    [Fact]
    public async Task Every_node_lists_every_node_at_its_Kafka_address_and_sends_fetches_to_the_leader()
    {
        var topic = await CreateTopicAsync(partitions: 3);
        var expected = Enumerable.Range(0, 3).Select(i => (Cluster[i].Settings.NodeId, Cluster.KafkaBootstrap(i))).OrderBy(b => b.NodeId).ToList();
        foreach (var index in Enumerable.Range(0, 3))
        {
            await Eventually.AssertAsync(async () =>
            {
                var metadata = await HandlerCalls.CallAsync<MetadataRequest, MetadataResponse>(Cluster[index], new MetadataRequest { Topics = [new() { Name = topic }] }, 12);
                Assert.Equal(expected, metadata!.Brokers.Select(b => (b.NodeId, $"{b.Host}:{b.Port}")).OrderBy(b => b.NodeId).ToList());
                Assert.Contains(metadata.ControllerId, expected.Select(b => b.NodeId));
                Assert.All(metadata.Topics[0].Partitions, p => Assert.True(p.LeaderId >= 0));
            }, TestCluster.Timeout);
        }

        var partitions = (await HandlerCalls.CallAsync<MetadataRequest, MetadataResponse>(Cluster[0], new MetadataRequest { Topics = [new() { Name = topic }] }, 12))!.Topics[0].Partitions;
        var ledElsewhere = partitions.First(p => p.LeaderId != Cluster[0].Settings.NodeId);
        var fetch = await HandlerCalls.CallAsync<FetchRequest, FetchResponse>(Cluster[0], new FetchRequest
        {
            MaxWaitMs = 0,
            Topics = [new() { Topic = topic, Partitions = [new() { Partition = ledElsewhere.PartitionIndex, PartitionMaxBytes = 1024 }] }],
        }, 12);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, fetch!.Responses[0].Partitions[0].ErrorCode);

        var found = new List<int>();
        foreach (var index in Enumerable.Range(0, 3))
        {
            await Eventually.AssertAsync(async () =>
            {
                var response = await HandlerCalls.CallAsync<FindCoordinatorRequest, FindCoordinatorResponse>(Cluster[index], new FindCoordinatorRequest { Key = "g" }, 3);
                Assert.Equal(0, response!.ErrorCode);
                Assert.Contains((response.NodeId, $"{response.Host}:{response.Port}"), expected);
                found.Add(response.NodeId);
            }, TestCluster.Timeout);
        }

        Assert.Single(found.Distinct());
    }

    [Fact]
    public async Task Confluent_Kafka_bootstrapped_from_one_node_produces_to_and_consumes_from_every_leader()
    {
        var topic = await CreateTopicAsync(partitions: 3);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Cluster.KafkaBootstrap(1), EnableIdempotence = true, MessageTimeoutMs = 60_000, Debug = Environment.GetEnvironmentVariable("ACTORSTREAM_KAFKA_DEBUG") })
            .SetLogHandler((_, m) => output.WriteLine($"[librdkafka {m.Level}] {m.Facility}: {m.Message}")).Build())
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => producer.ProduceAsync(new TopicPartition(topic, i % 3), new Message<Null, string> { Value = $"v{i}" }))).WaitAsync(TestCluster.Timeout);
            Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
        }

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = Cluster.KafkaBootstrap(2), GroupId = "unused", EnableAutoCommit = false, Debug = Environment.GetEnvironmentVariable("ACTORSTREAM_KAFKA_DEBUG") })
            .SetLogHandler((_, m) => output.WriteLine($"[librdkafka {m.Level}] {m.Facility}: {m.Message}")).Build();
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var values = new HashSet<string>();
        var deadline = DateTime.UtcNow + TestCluster.Timeout;
        while (values.Count < 30)
        {
            Assert.True(DateTime.UtcNow < deadline, $"consumed {values.Count} of 30 records");
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { IsPartitionEOF: false } result)
            {
                Assert.True(values.Add(result.Message.Value), $"{result.Message.Value} consumed twice");
            }
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"v{i}").ToHashSet(), values);
    }
}
