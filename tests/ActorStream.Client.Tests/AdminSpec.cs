using ActorStream.TestKit;
using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;
using ActorStream.Protocol;

namespace ActorStream.Client.Tests;

[Collection(NoAutoCreateBrokerCollection.Name)]
public class AdminSpec(NoAutoCreateBrokerFixture broker)
{
    [Fact]
    public async Task Topics_must_be_created_listed_described_and_deleted()
    {
        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap });
        var topic = BrokerFixture.UniqueTopic("admin");
        var topicId = await admin.CreateTopicsAsync(topic, 3, 1, new Dictionary<string, string> { ["retention.ms"] = "3600000" });
        Assert.True(Guid.TryParse(topicId, out _), $"topic id '{topicId}' must be a UUID");

        Assert.Contains(topic, await admin.ListTopicsAsync());

        // Leaders are elected right after creation: wait until the metadata shows them.
        await Eventually.TrueAsync(async () => (await admin.DescribeTopicsAsync([topic]))[0].Partitions.All(p => p.Leader >= 0), Clients.Patience, "every partition has a leader");
        var description = Assert.Single(await admin.DescribeTopicsAsync([topic]));
        Assert.Equal(topic, description.Name);
        Assert.Equal(topicId, description.TopicId);
        Assert.Equal([0, 1, 2], description.Partitions.Select(p => p.Partition));
        Assert.All(description.Partitions, p =>
        {
            Assert.Equal(broker.Node.Settings.NodeId, p.Leader);
            Assert.Equal([broker.Node.Settings.NodeId], p.Replicas);
            Assert.Equal([broker.Node.Settings.NodeId], p.Isr);
        });
        Assert.Equal("3600000", description.Configs["retention.ms"]);

        var duplicate = await Assert.ThrowsAsync<ActorStreamException>(() => admin.CreateTopicsAsync(topic, 1, 1));
        Assert.Equal(ErrorCode.TopicAlreadyExists, duplicate.ErrorCode);
        Assert.Contains(topic, duplicate.Message, StringComparison.Ordinal);

        await admin.DeleteTopicsAsync([topic]);
        await Eventually.TrueAsync(async () => !(await admin.ListTopicsAsync()).Contains(topic), Clients.Patience, "the deleted topic is gone from the list");
        var gone = await Assert.ThrowsAsync<ActorStreamException>(() => admin.DescribeTopicsAsync([topic]));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, gone.ErrorCode);
    }

    [Fact]
    public async Task Topic_configs_must_be_altered_and_described_with_their_sources()
    {
        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap });
        var topic = BrokerFixture.UniqueTopic("configs");
        await admin.CreateTopicsAsync(topic, 1, 1, new Dictionary<string, string> { ["retention.ms"] = "3600000" });

        await admin.AlterTopicConfigsAsync(topic, new Dictionary<string, string?> { ["retention.ms"] = null, ["retention.bytes"] = "1000000" });
        var configs = (await admin.DescribeTopicConfigsAsync(topic)).ToDictionary(c => c.Name);
        Assert.Equal(new ConfigEntry("retention.bytes", "1000000", ConfigSource.TopicConfig, false), configs["retention.bytes"]);
        Assert.NotEqual(ConfigSource.TopicConfig, configs["retention.ms"].Source);
        Assert.Equal("604800000", configs["retention.ms"].Value);

        var bad = await Assert.ThrowsAsync<ActorStreamException>(() => admin.AlterTopicConfigsAsync(topic, new Dictionary<string, string?> { ["no.such.config"] = "1" }));
        Assert.Equal(ErrorCode.InvalidConfig, bad.ErrorCode);
        Assert.Contains("no.such.config", bad.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<ActorStreamException>(() => admin.DescribeTopicConfigsAsync("no-such-topic"));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknown.ErrorCode);
    }

    [Fact]
    public async Task An_invalid_topic_name_must_fail_with_INVALID_TOPIC_EXCEPTION()
    {
        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap });
        var e = await Assert.ThrowsAsync<ActorStreamException>(() => admin.CreateTopicsAsync("bad topic!", 1, 1));
        Assert.Equal(ErrorCode.InvalidTopicException, e.ErrorCode);
        Assert.Equal(17, (short)e.ErrorCode);
        Assert.False(e.IsRetriable);
    }

    [Fact]
    public async Task ListOffsets_must_return_the_log_start_and_end()
    {
        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap });
        var topic = BrokerFixture.UniqueTopic("offsets");
        await admin.CreateTopicsAsync(topic, 2, 1);
        await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap }))
        {
            await Task.WhenAll(Enumerable.Range(0, 7).Select(i => producer.ProduceAsync(topic, null, "v", partition: 1)));
        }

        var tp0 = new TopicPartition(topic, 0);
        var tp1 = new TopicPartition(topic, 1);
        var offsets = await admin.ListOffsetsAsync(new Dictionary<TopicPartition, long>
        {
            [tp0] = OffsetSpec.Latest,
            [tp1] = OffsetSpec.Latest,
        });
        Assert.Equal(0, offsets[tp0].Offset);
        Assert.Equal(7, offsets[tp1].Offset);
        var earliest = await admin.ListOffsetsAsync(new Dictionary<TopicPartition, long> { [tp1] = OffsetSpec.Earliest });
        Assert.Equal(0, earliest[tp1].Offset);
    }

    [Fact]
    public async Task Producing_to_an_unknown_topic_must_fail_with_UNKNOWN_TOPIC_OR_PARTITION_when_auto_create_is_off()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = broker.Bootstrap,
            MaxBlockMs = 1500,
            RequestTimeoutMs = 1000,
            DeliveryTimeoutMs = 2000,
            RetryBackoffMs = 50,
        };
        await using var producer = new Producer<string, string>(config);
        var topic = BrokerFixture.UniqueTopic("missing");
        var e = await Assert.ThrowsAsync<ActorStreamException>(() => producer.ProduceAsync(topic, "k", "v"));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, e.ErrorCode);
        Assert.Contains(topic, e.Message, StringComparison.Ordinal);

        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap });
        Assert.DoesNotContain(topic, await admin.ListTopicsAsync());
    }
}
