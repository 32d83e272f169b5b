using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Replication;

/// <summary>A partition this node follows: what the controller's metadata says about it.</summary>
public sealed record FollowedPartition(string TopicId, string Topic, int Partition, int LeaderId, int LeaderEpoch, IReadOnlyDictionary<string, string> Configs)
{
    public (string TopicId, int Partition) Key => (TopicId, Partition);

    public static IEnumerable<FollowedPartition> FollowedBy(MetadataSnapshot snapshot, int nodeId) =>
        from topic in snapshot.Topics
        from partition in topic.Partitions
        where partition.LeaderId >= 0 && partition.LeaderId != nodeId && partition.Replicas.Contains(nodeId)
        select new FollowedPartition(topic.TopicId, topic.Name, partition.Partition, partition.LeaderId, partition.LeaderEpoch, topic.Configs);
}
