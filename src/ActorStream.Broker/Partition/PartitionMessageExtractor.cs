using Akka.Cluster.Sharding;
using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Partition;

/// <summary>One shard per partition: the shard id is the entity id, so placement decides per partition.</summary>
public sealed class PartitionMessageExtractor : IMessageExtractor
{
    public string? EntityId(object message) => message switch
    {
        PartitionAppend m => m.EntityId,
        PartitionFetch m => m.EntityId,
        PartitionListOffset m => m.EntityId,
        PartitionDelete m => m.EntityId,
        PartitionStateChanged m => m.EntityId,
        PartitionConfigsChanged m => m.EntityId,
        PartitionDeleteRecords m => m.EntityId,
        PartitionOffsetForLeaderEpoch m => m.EntityId,
        _ => null,
    };

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message);

    public string ShardId(string entityId, object? messageHint = null) => entityId;
}
