// Every generated protobuf message is an IActorStreamMessage, so one HOCON binding covers them all.

namespace ActorStream.Protocol.Client
{
    public sealed partial class BrokerNode : IActorStreamMessage;
    public sealed partial class PartitionMetadata : IActorStreamMessage;
    public sealed partial class TopicMetadata : IActorStreamMessage;
    public sealed partial class MetadataRequest : IActorStreamMessage;
    public sealed partial class MetadataResponse : IActorStreamMessage;
    public sealed partial class ProducePartitionData : IActorStreamMessage;
    public sealed partial class ProduceRequest : IActorStreamMessage;
    public sealed partial class ProducePartitionResponse : IActorStreamMessage;
    public sealed partial class ProduceResponse : IActorStreamMessage;
    public sealed partial class FetchPartition : IActorStreamMessage;
    public sealed partial class FetchRequest : IActorStreamMessage;
    public sealed partial class FetchPartitionResponse : IActorStreamMessage;
    public sealed partial class FetchResponse : IActorStreamMessage;
    public sealed partial class ListOffsetsPartition : IActorStreamMessage;
    public sealed partial class ListOffsetsRequest : IActorStreamMessage;
    public sealed partial class ListOffsetsPartitionResponse : IActorStreamMessage;
    public sealed partial class ListOffsetsResponse : IActorStreamMessage;
    public sealed partial class CreatableTopic : IActorStreamMessage;
    public sealed partial class CreateTopicsRequest : IActorStreamMessage;
    public sealed partial class TopicResult : IActorStreamMessage;
    public sealed partial class CreateTopicsResponse : IActorStreamMessage;
    public sealed partial class DeleteTopicsRequest : IActorStreamMessage;
    public sealed partial class DeleteTopicsResponse : IActorStreamMessage;
    public sealed partial class InitProducerIdRequest : IActorStreamMessage;
    public sealed partial class InitProducerIdResponse : IActorStreamMessage;
}

namespace ActorStream.Protocol.Broker
{
    public sealed partial class PartitionAppend : IActorStreamMessage;
    public sealed partial class PartitionFetch : IActorStreamMessage;
    public sealed partial class PartitionListOffset : IActorStreamMessage;
    public sealed partial class PartitionAppendResult : IActorStreamMessage;
    public sealed partial class PartitionFetchResult : IActorStreamMessage;
    public sealed partial class PartitionListOffsetResult : IActorStreamMessage;
    public sealed partial class PartitionDelete : IActorStreamMessage;
    public sealed partial class PartitionDeleted : IActorStreamMessage;
    public sealed partial class PartitionAssignment : IActorStreamMessage;
    public sealed partial class TopicState : IActorStreamMessage;
    public sealed partial class NodeRegistration : IActorStreamMessage;
    public sealed partial class NodeRegistered : IActorStreamMessage;
    public sealed partial class MetadataSnapshot : IActorStreamMessage;
    public sealed partial class GetMetadataSnapshot : IActorStreamMessage;
    public sealed partial class ClusterIdAssigned : IActorStreamMessage;
    public sealed partial class TopicCreated : IActorStreamMessage;
    public sealed partial class TopicDeleted : IActorStreamMessage;
    public sealed partial class ProducerIdBlockAllocated : IActorStreamMessage;
    public sealed partial class ControllerSnapshot : IActorStreamMessage;
    public sealed partial class NodeJoined : IActorStreamMessage;
    public sealed partial class LeaderEpochStarted : IActorStreamMessage;
    public sealed partial class LogStartOffsetMoved : IActorStreamMessage;
    public sealed partial class ProducerBatchMetadata : IActorStreamMessage;
    public sealed partial class ProducerEntry : IActorStreamMessage;
    public sealed partial class PartitionSnapshot : IActorStreamMessage;
    public sealed partial class ElectLeader : IActorStreamMessage;
    public sealed partial class LeaderElected : IActorStreamMessage;
    public sealed partial class LeaderEpochBumped : IActorStreamMessage;
}
