using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ActorStream.Broker.Hosting;
using ActorStream.TestKit;

namespace ActorStream.Kafka.Tests.Admin;

/// <summary>One node with its Kafka gateway for Confluent.Kafka's AdminClient (each test uses its own topics).</summary>
public sealed class ConfluentAdminNodeFixture : IAsyncLifetime
{
    private string _dataDir = "";

    public BrokerNode Node { get; private set; } = null!;

    public IAdminClient Admin { get; private set; } = null!;

    public string Bootstrap => Node.KafkaBootstrap();

    public async Task InitializeAsync()
    {
        _dataDir = Directory.CreateTempSubdirectory("actorstream-kafka-admin-client-").FullName;
        Node = await TestNode.StartAsync(_dataDir, kafka: true);
        Admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap, BrokerAddressFamily = BrokerAddressFamily.V4 }).Build();
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Node.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// Confluent.Kafka 2.16's AdminClient (librdkafka inside), unchanged, against one node: create, describe, alter
/// configs, grow, delete topics, describe the cluster, delete records. librdkafka needs Metadata (and ListOffsets for
/// the watermarks) to find the controller and the leaders, so these also exercise the data-path handlers.
/// </summary>
public sealed class ConfluentAdminClientSpec(ConfluentAdminNodeFixture fixture) : IClassFixture<ConfluentAdminNodeFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly IAdminClient _admin = fixture.Admin;

    private static string Topic() => "confluent-admin-" + Guid.NewGuid().ToString("N")[..8];

    private Task CreateAsync(string topic, int partitions = 1, Dictionary<string, string>? configs = null) =>
        _admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1, Configs = configs }], new CreateTopicsOptions { RequestTimeout = Timeout, OperationTimeout = Timeout });

    private int PartitionCount(string topic) =>
        _admin.GetMetadata(topic, Timeout).Topics.Single(t => t.Topic == topic) is { Error.IsError: false } t ? t.Partitions.Count : -1;

    [Fact]
    public async Task CreateTopics_creates_with_configs_validates_only_and_reports_each_topics_error()
    {
        var topic = Topic();
        await CreateAsync(topic, 3, new Dictionary<string, string> { ["retention.ms"] = "3600000" });
        Assert.Equal(3, PartitionCount(topic));
        var described = await _admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]), new DescribeTopicsOptions { RequestTimeout = Timeout });
        Assert.Equal(3, Assert.Single(described.TopicDescriptions).Partitions.Count);

        var validated = Topic();
        await _admin.CreateTopicsAsync([new TopicSpecification { Name = validated, NumPartitions = 2, ReplicationFactor = 1 }], new CreateTopicsOptions { ValidateOnly = true, RequestTimeout = Timeout });
        Assert.DoesNotContain(_admin.GetMetadata(Timeout).Topics, t => t.Topic == validated);

        var failed = await Assert.ThrowsAsync<CreateTopicsException>(() => _admin.CreateTopicsAsync(
            [new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }, new TopicSpecification { Name = "bad name!", NumPartitions = 1, ReplicationFactor = 1 }],
            new CreateTopicsOptions { RequestTimeout = Timeout }));
        var errors = failed.Results.ToDictionary(r => r.Topic, r => r.Error.Code);
        Assert.Equal(ErrorCode.TopicAlreadyExists, errors[topic]);
        Assert.Equal(ErrorCode.TopicException, errors["bad name!"]);
    }

    [Fact]
    public async Task DescribeConfigs_shows_sources_and_AlterConfigs_and_IncrementalAlterConfigs_change_them()
    {
        var topic = Topic();
        await CreateAsync(topic, 1, new Dictionary<string, string> { ["retention.ms"] = "3600000" });
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = topic };

        async Task<Dictionary<string, ConfigEntryResult>> DescribeAsync() =>
            Assert.Single(await _admin.DescribeConfigsAsync([resource], new DescribeConfigsOptions { RequestTimeout = Timeout })).Entries;

        var entries = await DescribeAsync();
        Assert.Equal(("3600000", ConfigSource.DynamicTopicConfig), (entries["retention.ms"].Value, entries["retention.ms"].Source));
        Assert.Equal(ConfigSource.DefaultConfig, entries["segment.bytes"].Source);
        Assert.False(entries["retention.ms"].IsReadOnly);

#pragma warning disable CS0618 // AlterConfigs (replace the whole set) is deprecated in the client, still served.
        await _admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>> { [resource] = [new ConfigEntry { Name = "max.message.bytes", Value = "2000000" }] }, new AlterConfigsOptions { RequestTimeout = Timeout });
#pragma warning restore CS0618
        entries = await DescribeAsync();
        Assert.Equal(("2000000", ConfigSource.DynamicTopicConfig), (entries["max.message.bytes"].Value, entries["max.message.bytes"].Source));
        Assert.Equal(ConfigSource.DefaultConfig, entries["retention.ms"].Source);

        await _admin.IncrementalAlterConfigsAsync(
            new Dictionary<ConfigResource, List<ConfigEntry>> { [resource] = [new ConfigEntry { Name = "retention.ms", Value = "7200000", IncrementalOperation = AlterConfigOpType.Set }] },
            new IncrementalAlterConfigsOptions { RequestTimeout = Timeout });
        entries = await DescribeAsync();
        Assert.Equal(("7200000", ConfigSource.DynamicTopicConfig), (entries["retention.ms"].Value, entries["retention.ms"].Source));
        Assert.Equal(ConfigSource.DynamicTopicConfig, entries["max.message.bytes"].Source);

        var broker = new ConfigResource { Type = ResourceType.Broker, Name = fixture.Node.Settings.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var brokerEntries = Assert.Single(await _admin.DescribeConfigsAsync([broker], new DescribeConfigsOptions { RequestTimeout = Timeout })).Entries;
        Assert.Equal(fixture.Node.Settings.NumPartitions.ToString(System.Globalization.CultureInfo.InvariantCulture), brokerEntries["num.partitions"].Value);
        Assert.True(brokerEntries["num.partitions"].IsReadOnly);
    }

    [Fact]
    public async Task CreatePartitions_grows_the_topic_and_DeleteTopics_removes_it()
    {
        var topic = Topic();
        await CreateAsync(topic);

        await _admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 4 }], new CreatePartitionsOptions { RequestTimeout = Timeout, OperationTimeout = Timeout });
        Assert.Equal(4, PartitionCount(topic));
        var shrink = await Assert.ThrowsAsync<CreatePartitionsException>(() => _admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 2 }], new CreatePartitionsOptions { RequestTimeout = Timeout }));
        Assert.Equal(ErrorCode.InvalidPartitions, Assert.Single(shrink.Results).Error.Code);

        await _admin.DeleteTopicsAsync([topic], new DeleteTopicsOptions { RequestTimeout = Timeout, OperationTimeout = Timeout });
        await Eventually.TrueAsync(() => _admin.GetMetadata(Timeout).Topics.All(t => t.Topic != topic), Timeout, "the deleted topic leaves the metadata");
    }

    [Fact]
    public async Task DescribeCluster_lists_the_node_at_its_kafka_port_as_controller()
    {
        var cluster = await _admin.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = Timeout });

        Assert.Equal(fixture.Node.ClusterId, cluster.ClusterId);
        var node = Assert.Single(cluster.Nodes);
        Assert.Equal(fixture.Node.Settings.NodeId, node.Id);
        Assert.Equal(fixture.Node.AdvertisedListeners[0].Port, node.Port);
        Assert.Equal(node.Id, cluster.Controller.Id);
    }

    [Fact]
    public async Task DeleteRecords_moves_the_low_watermark()
    {
        var topic = Topic();
        await CreateAsync(topic);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = fixture.Bootstrap, BrokerAddressFamily = BrokerAddressFamily.V4 }).Build())
        {
            for (var i = 0; i < 5; i++)
            {
                await producer.ProduceAsync(topic, new Message<Null, string> { Value = "record-" + i });
            }
        }

        var deleted = await _admin.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, 3)], new DeleteRecordsOptions { RequestTimeout = Timeout, OperationTimeout = Timeout });
        Assert.Equal(3, Assert.Single(deleted).Offset.Value);

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = fixture.Bootstrap, GroupId = "watermarks", BrokerAddressFamily = BrokerAddressFamily.V4 }).Build();
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), Timeout);
        Assert.Equal((3L, 5L), (watermarks.Low.Value, watermarks.High.Value));
    }
}
