using ActorStream.Broker.Endpoint;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Tests;

public class MetadataViewSpec
{
    private static MetadataView View()
    {
        var topic = new TopicState { Name = "orders", TopicId = "abc", ReplicationFactor = 1 };
        topic.Partitions.Add(new PartitionAssignment { Partition = 0, LeaderId = 1, Replicas = { 1 } });
        topic.Partitions.Add(new PartitionAssignment { Partition = 1, LeaderId = -1, Replicas = { 0 } });
        topic.Partitions.Add(new PartitionAssignment { Partition = 2, LeaderId = 0, Replicas = { 0 } });
        return new MetadataView(new MetadataSnapshot { Version = 1, Topics = { topic } });
    }

    [Fact]
    public void A_partition_led_by_another_node_must_resolve_to_NOT_LEADER_OR_FOLLOWER()
    {
        var (id, _, error) = View().ResolveLocal("orders", 0, nodeId: 0);
        Assert.Null(id);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_partition_led_here_or_not_yet_led_must_resolve_to_its_entity(int partition)
    {
        var (id, _, error) = View().ResolveLocal("orders", partition, nodeId: 0);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal($"abc-{partition}", id.ToString());
    }

    [Theory]
    [InlineData("orders", 3)]
    [InlineData("orders", -1)]
    [InlineData("nope", 0)]
    public void Unknown_topics_and_partitions_must_resolve_to_UNKNOWN_TOPIC_OR_PARTITION(string topic, int partition) =>
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, View().ResolveLocal(topic, partition, nodeId: 0).Error);
}
