using Akka.Actor;
using Google.Protobuf;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Storage.Records;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Tests.Admin;

/// <summary>
/// DescribeConfigs, AlterConfigs, IncrementalAlterConfigs, DeleteRecords, DescribeLogDirs, ElectLeaders and
/// ListPartitionReassignments over the wire of one real node, checked against the node itself.
/// </summary>
public sealed class ConfigAndPartitionAdminApisSpec(KafkaNodeWireFixture fixture) : IClassFixture<KafkaNodeWireFixture>
{
    private const sbyte TopicResource = 2;
    private const sbyte BrokerResource = 4;
    private readonly KafkaNodeWire _wire = fixture.Wire;

    private async Task<string> CreateTopicAsync(int partitions = 1, params (string Name, string Value)[] configs)
    {
        var name = "cfg-" + Guid.NewGuid().ToString("N")[..8];
        var topic = new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = 1 };
        topic.Configs.AddRange(configs.Select(c => new CreateTopicsRequest.CreatableTopicConfig { Name = c.Name, Value = c.Value }));
        var created = await _wire.SendAsync<CreateTopicsRequest, CreateTopicsResponse>(new CreateTopicsRequest { timeoutMs = 30_000, Topics = [topic] }, 7);
        Assert.Equal((short)ErrorCode.None, created.Topics[0].ErrorCode);
        return name;
    }

    private Task<DescribeConfigsResponse> DescribeAsync(sbyte type, string name, short version = 4, bool synonyms = true, bool documentation = true) =>
        _wire.SendAsync<DescribeConfigsRequest, DescribeConfigsResponse>(
            new DescribeConfigsRequest { IncludeSynonyms = synonyms, IncludeDocumentation = documentation, Resources = [new() { ResourceType = type, ResourceName = name, ConfigurationKeys = null }] },
            version);

    private async Task<Dictionary<string, DescribeConfigsResponse.DescribeConfigsResourceResult>> TopicConfigsAsync(string topic)
    {
        var result = Assert.Single((await DescribeAsync(TopicResource, topic)).Results);
        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        return result.Configs.ToDictionary(c => c.Name);
    }

    [Fact]
    public async Task DescribeConfigs_of_a_topic_shows_its_own_configs_as_topic_configs_and_the_rest_as_defaults()
    {
        var topic = await CreateTopicAsync(1, ("retention.ms", "3600000"));

        var configs = await TopicConfigsAsync(topic);

        var retention = configs["retention.ms"];
        Assert.Equal("3600000", retention.Value);
        Assert.Equal((sbyte)1, retention.ConfigSource);
        Assert.False(retention.ReadOnly);
        Assert.Equal((sbyte)5, retention.ConfigType);
        Assert.Equal(new[] { "retention.ms", "log.retention.ms" }, retention.Synonyms.Select(s => s.Name));
        Assert.Equal((sbyte)1, retention.Synonyms[0].Source);
        Assert.False(string.IsNullOrEmpty(retention.Documentation));
        var segment = configs["segment.bytes"];
        Assert.Equal((sbyte)5, segment.ConfigSource);
        Assert.Equal("log.segment.bytes", Assert.Single(segment.Synonyms).Name);

        var plain = Assert.Single((await DescribeAsync(TopicResource, topic, version: 1, synonyms: false, documentation: false)).Results);
        Assert.All(plain.Configs, c => Assert.Empty(c.Synonyms));
        Assert.Equal("3600000", plain.Configs.Single(c => c.Name == "retention.ms").Value);

        var missing = Assert.Single((await DescribeAsync(TopicResource, "no-such-topic")).Results);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, missing.ErrorCode);
    }

    [Fact]
    public async Task DescribeConfigs_of_the_broker_lists_its_settings_read_only()
    {
        var node = _wire.Node.Settings.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var result = Assert.Single((await DescribeAsync(BrokerResource, node)).Results);

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(node, result.ResourceName);
        var partitions = result.Configs.Single(c => c.Name == "num.partitions");
        Assert.Equal(_wire.Node.Settings.NumPartitions.ToString(System.Globalization.CultureInfo.InvariantCulture), partitions.Value);
        Assert.True(partitions.ReadOnly);
        Assert.Contains(partitions.ConfigSource, new sbyte[] { 4, 5 });
        Assert.Contains(result.Configs, c => c.Name == "broker.id" && c.Value == node);
    }

    [Fact]
    public async Task AlterConfigs_replaces_a_topics_configs_and_refuses_bad_ones()
    {
        var topic = await CreateTopicAsync(1, ("retention.ms", "3600000"));
        Task<AlterConfigsResponse> AlterAsync(bool validateOnly, sbyte type, string name, params (string Name, string? Value)[] configs) =>
            _wire.SendAsync<AlterConfigsRequest, AlterConfigsResponse>(
                new AlterConfigsRequest { ValidateOnly = validateOnly, Resources = [new() { ResourceType = type, ResourceName = name, Configs = configs.Select(c => new AlterConfigsRequest.AlterableConfig { Name = c.Name, Value = c.Value }).ToList() }] },
                2);

        var validated = await AlterAsync(true, TopicResource, topic, ("max.message.bytes", "2000000"));
        Assert.Equal((short)ErrorCode.None, validated.Responses[0].ErrorCode);
        Assert.Equal((sbyte)5, (await TopicConfigsAsync(topic))["max.message.bytes"].ConfigSource);

        var altered = await AlterAsync(false, TopicResource, topic, ("max.message.bytes", "2000000"));
        Assert.Equal((short)ErrorCode.None, altered.Responses[0].ErrorCode);
        var configs = await TopicConfigsAsync(topic);
        Assert.Equal(("2000000", (sbyte)1), (configs["max.message.bytes"].Value, configs["max.message.bytes"].ConfigSource));
        Assert.Equal((sbyte)5, configs["retention.ms"].ConfigSource);

        var bad = await AlterAsync(false, TopicResource, topic, ("cleanup.policy", "compact"));
        Assert.Equal((short)ErrorCode.InvalidConfig, bad.Responses[0].ErrorCode);
        Assert.Contains("compaction", bad.Responses[0].ErrorMessage, StringComparison.Ordinal);
        var broker = await AlterAsync(false, BrokerResource, "0", ("num.partitions", "3"));
        Assert.Equal((short)ErrorCode.InvalidRequest, broker.Responses[0].ErrorCode);
    }

    [Fact]
    public async Task IncrementalAlterConfigs_sets_and_deletes_single_configs()
    {
        var topic = await CreateTopicAsync(1, ("retention.ms", "3600000"));
        Task<IncrementalAlterConfigsResponse> AlterAsync(params (string Name, sbyte Operation, string? Value)[] configs) =>
            _wire.SendAsync<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(
                new IncrementalAlterConfigsRequest { Resources = [new() { ResourceType = TopicResource, ResourceName = topic, Configs = configs.Select(c => new IncrementalAlterConfigsRequest.AlterableConfig { Name = c.Name, ConfigOperation = c.Operation, Value = c.Value }).ToList() }] },
                1);

        Assert.Equal((short)ErrorCode.None, (await AlterAsync(("segment.bytes", 0, "1048576"))).Responses[0].ErrorCode);
        var configs = await TopicConfigsAsync(topic);
        Assert.Equal(("1048576", (sbyte)1), (configs["segment.bytes"].Value, configs["segment.bytes"].ConfigSource));
        Assert.Equal(("3600000", (sbyte)1), (configs["retention.ms"].Value, configs["retention.ms"].ConfigSource));

        Assert.Equal((short)ErrorCode.None, (await AlterAsync(("retention.ms", 1, null))).Responses[0].ErrorCode);
        Assert.Equal((sbyte)5, (await TopicConfigsAsync(topic))["retention.ms"].ConfigSource);

        Assert.Equal((short)ErrorCode.InvalidRequest, (await AlterAsync(("cleanup.policy", 2, "delete"))).Responses[0].ErrorCode);
    }

    private async Task ProduceAsync(string topic, int records)
    {
        using var batch = new RecordBatchBuilder();
        for (var i = 0; i < records; i++)
        {
            batch.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, new byte[100]);
        }

        var produce = new Native.ProduceRequest { Acks = -1, TimeoutMs = 30_000, Partitions = { new Native.ProducePartitionData { Topic = topic, Partition = 0, Records = ByteString.CopyFrom(batch.Build()) } } };
        var produced = await _wire.Node.Endpoint.Ask<Native.ProduceResponse>(produce, TimeSpan.FromSeconds(30));
        Assert.Equal(0, produced.Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task DeleteRecords_moves_the_log_start_offset_and_DescribeLogDirs_shows_the_replica()
    {
        var topic = await CreateTopicAsync();
        await ProduceAsync(topic, 5);

        var deleted = await _wire.SendAsync<DeleteRecordsRequest, DeleteRecordsResponse>(
            new DeleteRecordsRequest { TimeoutMs = 30_000, Topics = [new() { Name = topic, Partitions = [new() { PartitionIndex = 0, Offset = 3 }, new() { PartitionIndex = 7, Offset = 1 }] }] },
            2);

        var partitions = Assert.Single(deleted.Topics).Partitions;
        Assert.Equal((short)ErrorCode.None, partitions[0].ErrorCode);
        Assert.Equal(3, partitions[0].LowWatermark);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, partitions[1].ErrorCode);
        var earliest = await _wire.Node.Endpoint.Ask<Native.ListOffsetsResponse>(
            new Native.ListOffsetsRequest { Partitions = { new Native.ListOffsetsPartition { Topic = topic, Partition = 0, Timestamp = -2 } } },
            TimeSpan.FromSeconds(30));
        Assert.Equal(3, earliest.Partitions[0].Offset);

        var beyond = await _wire.SendAsync<DeleteRecordsRequest, DeleteRecordsResponse>(
            new DeleteRecordsRequest { TimeoutMs = 30_000, Topics = [new() { Name = topic, Partitions = [new() { PartitionIndex = 0, Offset = 99 }] }] },
            0);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, beyond.Topics[0].Partitions[0].ErrorCode);

        var dirs = await _wire.SendAsync<DescribeLogDirsRequest, DescribeLogDirsResponse>(new DescribeLogDirsRequest { Topics = [new() { Topic = topic, Partitions = [0] }] }, 4);
        var dir = Assert.Single(dirs.Results);
        Assert.Equal((short)ErrorCode.None, dir.ErrorCode);
        Assert.True(Path.IsPathRooted(dir.LogDir));
        Assert.True(dir.TotalBytes > 0 && dir.UsableBytes > 0);
        var replica = Assert.Single(Assert.Single(dir.Topics, t => t.Name == topic).Partitions);
        Assert.Equal(0, replica.PartitionIndex);
        Assert.True(replica.PartitionSize > 500, $"5 records of 100 bytes, {replica.PartitionSize} bytes on disk");

        var none = await _wire.SendAsync<DescribeLogDirsRequest, DescribeLogDirsResponse>(new DescribeLogDirsRequest { Topics = [] }, 4);
        Assert.Empty(Assert.Single(none.Results).Topics);
    }

    [Fact]
    public async Task ElectLeaders_and_ListPartitionReassignments_on_one_node_have_nothing_to_do()
    {
        var topic = await CreateTopicAsync(2);

        var elected = await _wire.SendAsync<ElectLeadersRequest, ElectLeadersResponse>(
            new ElectLeadersRequest { ElectionType = 0, TimeoutMs = 30_000, TopicPartitions = [new() { Topic = topic, Partitions = [0, 1] }, new() { Topic = "no-such-topic", Partitions = [0] }] },
            2);

        Assert.Equal((short)ErrorCode.None, elected.ErrorCode);
        var results = elected.ReplicaElectionResults.SelectMany(t => t.PartitionResult.Select(p => (t.Topic, p.PartitionId, (ErrorCode)p.ErrorCode))).OrderBy(r => r.Topic, StringComparer.Ordinal).ThenBy(r => r.PartitionId).ToList();
        Assert.Equal(new[] { ("no-such-topic", 0, ErrorCode.UnknownTopicOrPartition), (topic, 0, ErrorCode.ElectionNotNeeded), (topic, 1, ErrorCode.ElectionNotNeeded) }.OrderBy(r => r.Item1, StringComparer.Ordinal), results);

        var unclean = await _wire.SendAsync<ElectLeadersRequest, ElectLeadersResponse>(
            new ElectLeadersRequest { ElectionType = 1, TimeoutMs = 30_000, TopicPartitions = [new() { Topic = topic, Partitions = [0] }] },
            1);
        Assert.Equal((short)ErrorCode.InvalidRequest, unclean.ErrorCode);

        var listed = await _wire.SendAsync<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>(new ListPartitionReassignmentsRequest { TimeoutMs = 30_000, Topics = null }, 0);
        Assert.Equal((short)ErrorCode.None, listed.ErrorCode);
        Assert.Empty(listed.Topics);
    }
}
