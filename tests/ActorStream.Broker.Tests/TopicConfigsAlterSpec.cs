using ActorStream.Broker.Configs;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests;

/// <summary>AlterConfigs, IncrementalAlterConfigs and DescribeConfigs through a real node's endpoint.</summary>
public sealed class TopicConfigsAlterSpec(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static string NewTopic() => "cfg-" + Guid.NewGuid().ToString("N")[..12];

    private static AlterConfigsResource Topic(string name, params (string Name, int Op, string? Value)[] configs)
    {
        var resource = new AlterConfigsResource { ResourceType = ConfigResourceType.Topic, ResourceName = name };
        foreach (var (config, op, value) in configs)
        {
            var alterable = new AlterableConfig { Name = config, ConfigOperation = op };
            if (value is not null)
            {
                alterable.Value = value;
            }

            resource.Configs.Add(alterable);
        }

        return resource;
    }

    private async Task<AlterConfigsResult> AlterAsync(AlterConfigsResource resource, bool incremental = true, bool validateOnly = false) =>
        (await fixture.Ask<AlterConfigsResponse>(new AlterConfigsRequest { Resources = { resource }, Incremental = incremental, ValidateOnly = validateOnly })).Results.Single();

    private async Task<DescribeConfigsResult> DescribeAsync(int type, string name, params string[] only)
    {
        var resource = new DescribeConfigsResource { ResourceType = type, ResourceName = name };
        resource.ConfigNames.AddRange(only);
        return (await fixture.Ask<DescribeConfigsResponse>(new DescribeConfigsRequest { Resources = { resource } })).Results.Single();
    }

    [Fact]
    public async Task An_incremental_SET_must_reach_the_leader_and_DELETE_must_restore_the_broker_default()
    {
        var topic = NewTopic();
        await fixture.CreateTopicAsync(topic, configs: new Dictionary<string, string> { ["max.message.bytes"] = "2000" });
        var big = NodeFixture.Batch(30, valueSize: 100);
        Assert.Equal((int)ErrorCode.MessageTooLarge, (await fixture.ProduceAsync(topic, 0, big)).ErrorCode);

        var set = await AlterAsync(Topic(topic, ("max.message.bytes", AlterConfigOp.Set, "100000"), ("retention.ms", AlterConfigOp.Set, "3600000")));
        Assert.Equal(0, set.ErrorCode);
        await Eventually.TrueAsync(async () => (await fixture.ProduceAsync(topic, 0, big)).ErrorCode == 0, NodeFixture.Timeout, "the leader accepts the larger batch");

        var described = await DescribeAsync(ConfigResourceType.Topic, topic);
        Assert.Equal(0, described.ErrorCode);
        var retention = described.Configs.Single(c => c.Name == "retention.ms");
        Assert.Equal(("3600000", ConfigSource.TopicConfig, false, false), (retention.Value, retention.ConfigSource, retention.ReadOnly, retention.IsSensitive));
        Assert.Equal(["retention.ms", "log.retention.ms"], retention.Synonyms.Select(s => s.Name));
        var segment = described.Configs.Single(c => c.Name == "segment.bytes");
        Assert.Equal(fixture.Node.Settings.LogDefaults.SegmentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), segment.Value);
        Assert.Contains(segment.ConfigSource, new[] { ConfigSource.DefaultConfig, ConfigSource.StaticBrokerConfig });
        Assert.Equal(TopicConfigsNames, described.Configs.Select(c => c.Name).Order(StringComparer.Ordinal));

        Assert.Equal(0, (await AlterAsync(Topic(topic, ("max.message.bytes", AlterConfigOp.Delete, null)))).ErrorCode);
        await Eventually.TrueAsync(async () => (await fixture.ProduceAsync(topic, 0, NodeFixture.Batch(1, valueSize: 1_100_000))).ErrorCode == (int)ErrorCode.MessageTooLarge, NodeFixture.Timeout, "the broker default max.message.bytes applies again");
        var after = await DescribeAsync(ConfigResourceType.Topic, topic, "max.message.bytes", "retention.ms");
        Assert.Equal(["max.message.bytes", "retention.ms"], after.Configs.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.NotEqual(ConfigSource.TopicConfig, after.Configs.Single(c => c.Name == "max.message.bytes").ConfigSource);
        Assert.Equal("3600000", after.Configs.Single(c => c.Name == "retention.ms").Value);
    }

    private static IEnumerable<string> TopicConfigsNames => ActorStream.Broker.Partition.TopicConfigs.Names.Order(StringComparer.Ordinal);

    [Fact]
    public async Task A_non_incremental_alter_must_replace_the_whole_set_and_validate_only_must_change_nothing()
    {
        var topic = NewTopic();
        await fixture.CreateTopicAsync(topic, configs: new Dictionary<string, string> { ["retention.ms"] = "1000", ["segment.bytes"] = "100000" });

        Assert.Equal(0, (await AlterAsync(Topic(topic, ("retention.bytes", 0, "5000")), incremental: false, validateOnly: true)).ErrorCode);
        Assert.Equal("1000", (await DescribeAsync(ConfigResourceType.Topic, topic, "retention.ms")).Configs.Single().Value);

        Assert.Equal(0, (await AlterAsync(Topic(topic, ("retention.bytes", 0, "5000")), incremental: false)).ErrorCode);
        var described = await DescribeAsync(ConfigResourceType.Topic, topic);
        Assert.Equal(["retention.bytes"], described.Configs.Where(c => c.ConfigSource == ConfigSource.TopicConfig).Select(c => c.Name));
        // The node answers Metadata from its copy of the controller's metadata, which the new set reaches a moment later.
        await Eventually.AssertAsync(async () =>
        {
            var metadata = await fixture.Ask<MetadataResponse>(new MetadataRequest { Topics = { topic } });
            Assert.Equal(new Dictionary<string, string> { ["retention.bytes"] = "5000" }, metadata.Topics.Single().Configs);
        }, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Bad_alterations_must_get_one_error_per_resource_naming_the_problem()
    {
        var topics = Enumerable.Range(0, 3).Select(_ => NewTopic()).ToList();
        foreach (var topic in topics)
        {
            await fixture.CreateTopicAsync(topic);
        }

        var response = await fixture.Ask<AlterConfigsResponse>(new AlterConfigsRequest
        {
            Incremental = true,
            Resources =
            {
                Topic("no-such-topic", ("retention.ms", AlterConfigOp.Set, "1")),
                Topic(topics[0], ("retention.mss", AlterConfigOp.Set, "1")),
                Topic(topics[1], ("retention.ms", AlterConfigOp.Set, "soon")),
                Topic(topics[2], ("cleanup.policy", AlterConfigOp.Append, "compact")),
                new AlterConfigsResource { ResourceType = ConfigResourceType.Broker, ResourceName = "0", Configs = { new AlterableConfig { Name = "num.partitions", Value = "3" } } },
            },
        });
        Assert.Equal(
            [ErrorCode.UnknownTopicOrPartition, ErrorCode.InvalidConfig, ErrorCode.InvalidConfig, ErrorCode.InvalidRequest, ErrorCode.InvalidRequest],
            response.Results.Select(r => (ErrorCode)r.ErrorCode));
        Assert.Contains("retention.mss", response.Results[1].ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("retention.ms", response.Results[2].ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("static", response.Results[4].ErrorMessage, StringComparison.Ordinal);
        // Nothing of the refused alterations was applied.
        foreach (var topic in topics)
        {
            Assert.DoesNotContain((await DescribeAsync(ConfigResourceType.Topic, topic)).Configs, c => c.ConfigSource == ConfigSource.TopicConfig);
        }

        var twice = await fixture.Ask<AlterConfigsResponse>(new AlterConfigsRequest { Resources = { Topic(topics[0], ("retention.ms", 0, "1")), Topic(topics[0], ("retention.ms", 0, "2")) } });
        Assert.Equal([ErrorCode.None, ErrorCode.InvalidRequest], twice.Results.Select(r => (ErrorCode)r.ErrorCode));
    }

    [Fact]
    public async Task Describing_a_broker_must_list_its_settings_under_Kafka_names_read_only()
    {
        var described = await DescribeAsync(ConfigResourceType.Broker, "0");
        Assert.Equal(0, described.ErrorCode);
        var configs = described.Configs.ToDictionary(c => c.Name);
        Assert.Equal("0", configs["node.id"].Value);
        Assert.Equal("0", configs["broker.id"].Value);
        Assert.Equal(fixture.Node.Settings.LogsDir, configs["log.dirs"].Value);
        Assert.True(Path.IsPathRooted(configs["log.dirs"].Value));
        Assert.Equal("false", configs["auto.create.topics.enable"].Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, configs["auto.create.topics.enable"].ConfigSource);
        Assert.Equal(ConfigSource.DefaultConfig, configs["num.partitions"].ConfigSource);
        Assert.All(described.Configs, c => Assert.True(c.ReadOnly));
        Assert.Contains("message.max.bytes", configs.Keys);
        Assert.Contains("log.retention.ms", configs.Keys);

        var filtered = await DescribeAsync(ConfigResourceType.Broker, "0", "num.partitions");
        Assert.Equal(["num.partitions"], filtered.Configs.Select(c => c.Name));
        Assert.Equal((int)ErrorCode.InvalidRequest, (await DescribeAsync(ConfigResourceType.Broker, "7")).ErrorCode);
        Assert.Equal((int)ErrorCode.UnknownTopicOrPartition, (await DescribeAsync(ConfigResourceType.Topic, "no-such-topic")).ErrorCode);
    }
}
