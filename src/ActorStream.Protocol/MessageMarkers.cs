// Every generated protobuf message is an IActorStreamMessage, so one HOCON binding covers them all.

namespace ActorStream.Protocol.Client
{
    public sealed partial class BrokerNode : IActorStreamMessage;
    public sealed partial class KafkaListener : IActorStreamMessage;
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

    public sealed partial class CreatePartitionsTopic : IActorStreamMessage;
    public sealed partial class PartitionReplicas : IActorStreamMessage;

    public sealed partial class CreatePartitionsRequest : IActorStreamMessage;

    public sealed partial class CreatePartitionsResponse : IActorStreamMessage;

    public sealed partial class PartitionReassignment : IActorStreamMessage;

    public sealed partial class ReassignPartitionsRequest : IActorStreamMessage;

    public sealed partial class ReassignPartitionResult : IActorStreamMessage;

    public sealed partial class ReassignPartitionsResponse : IActorStreamMessage;

    public sealed partial class DescribeConfigsResource : IActorStreamMessage;

    public sealed partial class DescribeConfigsRequest : IActorStreamMessage;

    public sealed partial class ConfigSynonym : IActorStreamMessage;

    public sealed partial class DescribeConfigsEntry : IActorStreamMessage;

    public sealed partial class DescribeConfigsResult : IActorStreamMessage;

    public sealed partial class DescribeConfigsResponse : IActorStreamMessage;

    public sealed partial class AlterableConfig : IActorStreamMessage;

    public sealed partial class AlterConfigsResource : IActorStreamMessage;

    public sealed partial class AlterConfigsRequest : IActorStreamMessage;

    public sealed partial class AlterConfigsResult : IActorStreamMessage;

    public sealed partial class AlterConfigsResponse : IActorStreamMessage;

    public sealed partial class DeleteRecordsPartition : IActorStreamMessage;

    public sealed partial class DeleteRecordsRequest : IActorStreamMessage;

    public sealed partial class DeleteRecordsPartitionResult : IActorStreamMessage;

    public sealed partial class DeleteRecordsResponse : IActorStreamMessage;

    public sealed partial class OffsetForLeaderEpochPartition : IActorStreamMessage;

    public sealed partial class OffsetForLeaderEpochRequest : IActorStreamMessage;

    public sealed partial class OffsetForLeaderEpochPartitionResult : IActorStreamMessage;

    public sealed partial class OffsetForLeaderEpochResponse : IActorStreamMessage;

    public sealed partial class DescribeLogDirsTopic : IActorStreamMessage;

    public sealed partial class DescribeLogDirsRequest : IActorStreamMessage;

    public sealed partial class LogDirPartition : IActorStreamMessage;

    public sealed partial class DescribeLogDirsResponse : IActorStreamMessage;

    public sealed partial class ListPartitionReassignmentsTopic : IActorStreamMessage;

    public sealed partial class ListPartitionReassignmentsRequest : IActorStreamMessage;

    public sealed partial class OngoingPartitionReassignment : IActorStreamMessage;

    public sealed partial class ListPartitionReassignmentsResponse : IActorStreamMessage;

    public sealed partial class ElectLeadersPartitions : IActorStreamMessage;

    public sealed partial class ElectLeadersRequest : IActorStreamMessage;

    public sealed partial class ElectLeadersPartitionResult : IActorStreamMessage;

    public sealed partial class ElectLeadersResponse : IActorStreamMessage;
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

    public sealed partial class AlterIsr : IActorStreamMessage;

    public sealed partial class AlterIsrResult : IActorStreamMessage;

    public sealed partial class IsrChanged : IActorStreamMessage;

    public sealed partial class PartitionStateChanged : IActorStreamMessage;

    public sealed partial class PartitionsAdded : IActorStreamMessage;

    public sealed partial class ReassignmentStarted : IActorStreamMessage;

    public sealed partial class ReassignmentCompleted : IActorStreamMessage;

    public sealed partial class ReplicaLogLost : IActorStreamMessage;

    public sealed partial class ReplicaLogLostResult : IActorStreamMessage;

    public sealed partial class PartitionHistoryTruncated : IActorStreamMessage;

    public sealed partial class TopicConfigsChanged : IActorStreamMessage;

    public sealed partial class PartitionConfigsChanged : IActorStreamMessage;

    public sealed partial class PartitionDeleteRecords : IActorStreamMessage;

    public sealed partial class PartitionDeleteRecordsResult : IActorStreamMessage;

    public sealed partial class PartitionOffsetForLeaderEpoch : IActorStreamMessage;

    public sealed partial class PartitionOffsetForLeaderEpochResult : IActorStreamMessage;
}

namespace ActorStream.Protocol.Group
{
    public sealed partial class GroupPartition : IActorStreamMessage;
    public sealed partial class MemberPartitions : IActorStreamMessage;
    public sealed partial class OffsetCommitPartition : IActorStreamMessage;
    public sealed partial class OffsetCommitPartitionResult : IActorStreamMessage;
    public sealed partial class JoinGroupRequest : IActorStreamMessage;
    public sealed partial class JoinGroupMember : IActorStreamMessage;
    public sealed partial class JoinGroupResponse : IActorStreamMessage;
    public sealed partial class SyncGroupRequest : IActorStreamMessage;
    public sealed partial class SyncGroupResponse : IActorStreamMessage;
    public sealed partial class HeartbeatRequest : IActorStreamMessage;
    public sealed partial class HeartbeatResponse : IActorStreamMessage;
    public sealed partial class LeaveGroupRequest : IActorStreamMessage;
    public sealed partial class LeaveGroupResponse : IActorStreamMessage;
    public sealed partial class OffsetCommitRequest : IActorStreamMessage;
    public sealed partial class OffsetCommitResponse : IActorStreamMessage;
    public sealed partial class OffsetFetchRequest : IActorStreamMessage;
    public sealed partial class OffsetFetchPartitionResult : IActorStreamMessage;
    public sealed partial class OffsetFetchResponse : IActorStreamMessage;
    public sealed partial class ListGroupsRequest : IActorStreamMessage;
    public sealed partial class GroupListing : IActorStreamMessage;
    public sealed partial class ListGroupsResponse : IActorStreamMessage;
    public sealed partial class DescribeGroupRequest : IActorStreamMessage;
    public sealed partial class GroupMemberDescription : IActorStreamMessage;
    public sealed partial class GroupOffsetDescription : IActorStreamMessage;
    public sealed partial class DescribeGroupResponse : IActorStreamMessage;
    public sealed partial class DeleteGroupsRequest : IActorStreamMessage;
    public sealed partial class DeleteGroupResult : IActorStreamMessage;
    public sealed partial class DeleteGroupsResponse : IActorStreamMessage;
    public sealed partial class ResetOffsetsRequest : IActorStreamMessage;
    public sealed partial class ResetOffsetsResponse : IActorStreamMessage;
    public sealed partial class GroupCreatedEvent : IActorStreamMessage;
    public sealed partial class MemberJoinedEvent : IActorStreamMessage;
    public sealed partial class StaticMemberReplacedEvent : IActorStreamMessage;
    public sealed partial class MemberLeftEvent : IActorStreamMessage;
    public sealed partial class RebalanceStartedEvent : IActorStreamMessage;
    public sealed partial class GenerationCompletedEvent : IActorStreamMessage;
    public sealed partial class AssignmentSyncedEvent : IActorStreamMessage;
    public sealed partial class OffsetsCommittedEvent : IActorStreamMessage;
    public sealed partial class OffsetsExpiredEvent : IActorStreamMessage;
    public sealed partial class GroupDeletedEvent : IActorStreamMessage;
    public sealed partial class MemberSnapshot : IActorStreamMessage;
    public sealed partial class CommittedOffsetSnapshot : IActorStreamMessage;
    public sealed partial class GroupSnapshot : IActorStreamMessage;
    public sealed partial class GroupCoordinatorSnapshot : IActorStreamMessage;
    public sealed partial class FindCoordinatorRequest : IActorStreamMessage;
    public sealed partial class FindCoordinatorResponse : IActorStreamMessage;
    public sealed partial class GroupProtocol : IActorStreamMessage;
    public sealed partial class MemberAssignmentBytes : IActorStreamMessage;
    public sealed partial class OffsetDeleteRequest : IActorStreamMessage;
    public sealed partial class OffsetDeleteResponse : IActorStreamMessage;
    public sealed partial class OffsetsDeletedEvent : IActorStreamMessage;
}
