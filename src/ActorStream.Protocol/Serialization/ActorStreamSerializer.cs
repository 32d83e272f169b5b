using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;

namespace ActorStream.Protocol.Serialization;

/// <summary>
/// The one serializer of every <see cref="IActorStreamMessage"/>: protobuf bytes with a short, permanent string
/// manifest per type. Manifests are written into the journal: never change or reuse one; add new types at the end.
/// </summary>
public sealed class ActorStreamSerializer : SerializerWithStringManifest
{
    /// <summary>Fixed serializer id (Akka reserves 0-100).</summary>
    public const int SerializerId = 4053;

    private static readonly Dictionary<Type, string> ManifestByType = [];
    private static readonly Dictionary<string, MessageParser> ParserByManifest = [];
    private static readonly Dictionary<string, Type> TypeByManifest = [];

    static ActorStreamSerializer()
    {
        Register<Client.BrokerNode>("C1", Client.BrokerNode.Parser);
        Register<Client.PartitionMetadata>("C2", Client.PartitionMetadata.Parser);
        Register<Client.TopicMetadata>("C3", Client.TopicMetadata.Parser);
        Register<Client.MetadataRequest>("C4", Client.MetadataRequest.Parser);
        Register<Client.MetadataResponse>("C5", Client.MetadataResponse.Parser);
        Register<Client.ProducePartitionData>("C6", Client.ProducePartitionData.Parser);
        Register<Client.ProduceRequest>("C7", Client.ProduceRequest.Parser);
        Register<Client.ProducePartitionResponse>("C8", Client.ProducePartitionResponse.Parser);
        Register<Client.ProduceResponse>("C9", Client.ProduceResponse.Parser);
        Register<Client.FetchPartition>("C10", Client.FetchPartition.Parser);
        Register<Client.FetchRequest>("C11", Client.FetchRequest.Parser);
        Register<Client.FetchPartitionResponse>("C12", Client.FetchPartitionResponse.Parser);
        Register<Client.FetchResponse>("C13", Client.FetchResponse.Parser);
        Register<Client.ListOffsetsPartition>("C14", Client.ListOffsetsPartition.Parser);
        Register<Client.ListOffsetsRequest>("C15", Client.ListOffsetsRequest.Parser);
        Register<Client.ListOffsetsPartitionResponse>("C16", Client.ListOffsetsPartitionResponse.Parser);
        Register<Client.ListOffsetsResponse>("C17", Client.ListOffsetsResponse.Parser);
        Register<Client.CreatableTopic>("C18", Client.CreatableTopic.Parser);
        Register<Client.CreateTopicsRequest>("C19", Client.CreateTopicsRequest.Parser);
        Register<Client.TopicResult>("C20", Client.TopicResult.Parser);
        Register<Client.CreateTopicsResponse>("C21", Client.CreateTopicsResponse.Parser);
        Register<Client.DeleteTopicsRequest>("C22", Client.DeleteTopicsRequest.Parser);
        Register<Client.DeleteTopicsResponse>("C23", Client.DeleteTopicsResponse.Parser);
        Register<Client.InitProducerIdRequest>("C24", Client.InitProducerIdRequest.Parser);
        Register<Client.InitProducerIdResponse>("C25", Client.InitProducerIdResponse.Parser);
        Register<Client.CreatePartitionsTopic>("C26", Client.CreatePartitionsTopic.Parser);
        Register<Client.CreatePartitionsRequest>("C27", Client.CreatePartitionsRequest.Parser);
        Register<Client.CreatePartitionsResponse>("C28", Client.CreatePartitionsResponse.Parser);
        Register<Client.PartitionReassignment>("C29", Client.PartitionReassignment.Parser);
        Register<Client.ReassignPartitionsRequest>("C30", Client.ReassignPartitionsRequest.Parser);
        Register<Client.ReassignPartitionResult>("C31", Client.ReassignPartitionResult.Parser);
        Register<Client.ReassignPartitionsResponse>("C32", Client.ReassignPartitionsResponse.Parser);
        // K: what the Kafka gateway adds to the native protocol (its own letter, so other additions to C cannot clash).
        Register<Client.KafkaListener>("K1", Client.KafkaListener.Parser);
        // C100+: the Kafka API messages of issue 12.
        Register<Client.DescribeConfigsResource>("C100", Client.DescribeConfigsResource.Parser);
        Register<Client.DescribeConfigsRequest>("C101", Client.DescribeConfigsRequest.Parser);
        Register<Client.ConfigSynonym>("C102", Client.ConfigSynonym.Parser);
        Register<Client.DescribeConfigsEntry>("C103", Client.DescribeConfigsEntry.Parser);
        Register<Client.DescribeConfigsResult>("C104", Client.DescribeConfigsResult.Parser);
        Register<Client.DescribeConfigsResponse>("C105", Client.DescribeConfigsResponse.Parser);
        Register<Client.AlterableConfig>("C106", Client.AlterableConfig.Parser);
        Register<Client.AlterConfigsResource>("C107", Client.AlterConfigsResource.Parser);
        Register<Client.AlterConfigsRequest>("C108", Client.AlterConfigsRequest.Parser);
        Register<Client.AlterConfigsResult>("C109", Client.AlterConfigsResult.Parser);
        Register<Client.AlterConfigsResponse>("C110", Client.AlterConfigsResponse.Parser);
        Register<Client.DeleteRecordsPartition>("C111", Client.DeleteRecordsPartition.Parser);
        Register<Client.DeleteRecordsRequest>("C112", Client.DeleteRecordsRequest.Parser);
        Register<Client.DeleteRecordsPartitionResult>("C113", Client.DeleteRecordsPartitionResult.Parser);
        Register<Client.DeleteRecordsResponse>("C114", Client.DeleteRecordsResponse.Parser);
        Register<Client.OffsetForLeaderEpochPartition>("C115", Client.OffsetForLeaderEpochPartition.Parser);
        Register<Client.OffsetForLeaderEpochRequest>("C116", Client.OffsetForLeaderEpochRequest.Parser);
        Register<Client.OffsetForLeaderEpochPartitionResult>("C117", Client.OffsetForLeaderEpochPartitionResult.Parser);
        Register<Client.OffsetForLeaderEpochResponse>("C118", Client.OffsetForLeaderEpochResponse.Parser);
        Register<Client.DescribeLogDirsTopic>("C119", Client.DescribeLogDirsTopic.Parser);
        Register<Client.DescribeLogDirsRequest>("C120", Client.DescribeLogDirsRequest.Parser);
        Register<Client.LogDirPartition>("C121", Client.LogDirPartition.Parser);
        Register<Client.DescribeLogDirsResponse>("C122", Client.DescribeLogDirsResponse.Parser);
        Register<Client.ListPartitionReassignmentsTopic>("C123", Client.ListPartitionReassignmentsTopic.Parser);
        Register<Client.ListPartitionReassignmentsRequest>("C124", Client.ListPartitionReassignmentsRequest.Parser);
        Register<Client.OngoingPartitionReassignment>("C125", Client.OngoingPartitionReassignment.Parser);
        Register<Client.ListPartitionReassignmentsResponse>("C126", Client.ListPartitionReassignmentsResponse.Parser);
        Register<Client.ElectLeadersPartitions>("C127", Client.ElectLeadersPartitions.Parser);
        Register<Client.ElectLeadersRequest>("C128", Client.ElectLeadersRequest.Parser);
        Register<Client.ElectLeadersPartitionResult>("C129", Client.ElectLeadersPartitionResult.Parser);
        Register<Client.ElectLeadersResponse>("C130", Client.ElectLeadersResponse.Parser);
        Register<Client.PartitionReplicas>("C131", Client.PartitionReplicas.Parser);
        Register<Broker.PartitionAppend>("B1", Broker.PartitionAppend.Parser);
        Register<Broker.PartitionFetch>("B2", Broker.PartitionFetch.Parser);
        Register<Broker.PartitionListOffset>("B3", Broker.PartitionListOffset.Parser);
        Register<Broker.PartitionAppendResult>("B4", Broker.PartitionAppendResult.Parser);
        Register<Broker.PartitionFetchResult>("B5", Broker.PartitionFetchResult.Parser);
        Register<Broker.PartitionListOffsetResult>("B6", Broker.PartitionListOffsetResult.Parser);
        Register<Broker.PartitionDelete>("B7", Broker.PartitionDelete.Parser);
        Register<Broker.PartitionDeleted>("B8", Broker.PartitionDeleted.Parser);
        Register<Broker.PartitionAssignment>("B9", Broker.PartitionAssignment.Parser);
        Register<Broker.TopicState>("B10", Broker.TopicState.Parser);
        Register<Broker.NodeRegistration>("B11", Broker.NodeRegistration.Parser);
        Register<Broker.NodeRegistered>("B12", Broker.NodeRegistered.Parser);
        Register<Broker.MetadataSnapshot>("B13", Broker.MetadataSnapshot.Parser);
        Register<Broker.GetMetadataSnapshot>("B14", Broker.GetMetadataSnapshot.Parser);
        Register<Broker.ClusterIdAssigned>("B15", Broker.ClusterIdAssigned.Parser);
        Register<Broker.TopicCreated>("B16", Broker.TopicCreated.Parser);
        Register<Broker.TopicDeleted>("B17", Broker.TopicDeleted.Parser);
        Register<Broker.ProducerIdBlockAllocated>("B18", Broker.ProducerIdBlockAllocated.Parser);
        Register<Broker.ControllerSnapshot>("B19", Broker.ControllerSnapshot.Parser);
        Register<Broker.NodeJoined>("B20", Broker.NodeJoined.Parser);
        Register<Broker.LeaderEpochStarted>("B21", Broker.LeaderEpochStarted.Parser);
        Register<Broker.LogStartOffsetMoved>("B22", Broker.LogStartOffsetMoved.Parser);
        Register<Broker.ProducerBatchMetadata>("B23", Broker.ProducerBatchMetadata.Parser);
        Register<Broker.ProducerEntry>("B24", Broker.ProducerEntry.Parser);
        Register<Broker.PartitionSnapshot>("B25", Broker.PartitionSnapshot.Parser);
        Register<Broker.ElectLeader>("B26", Broker.ElectLeader.Parser);
        Register<Broker.LeaderElected>("B27", Broker.LeaderElected.Parser);
        Register<Broker.LeaderEpochBumped>("B28", Broker.LeaderEpochBumped.Parser);
        Register<Broker.AlterIsr>("B29", Broker.AlterIsr.Parser);
        Register<Broker.AlterIsrResult>("B30", Broker.AlterIsrResult.Parser);
        Register<Broker.IsrChanged>("B31", Broker.IsrChanged.Parser);
        Register<Broker.PartitionStateChanged>("B32", Broker.PartitionStateChanged.Parser);
        Register<Broker.PartitionsAdded>("B33", Broker.PartitionsAdded.Parser);
        Register<Broker.ReassignmentStarted>("B34", Broker.ReassignmentStarted.Parser);
        Register<Broker.ReassignmentCompleted>("B35", Broker.ReassignmentCompleted.Parser);
        Register<Broker.ReplicaLogLost>("B60", Broker.ReplicaLogLost.Parser);
        Register<Broker.ReplicaLogLostResult>("B61", Broker.ReplicaLogLostResult.Parser);
        Register<Broker.PartitionHistoryTruncated>("B62", Broker.PartitionHistoryTruncated.Parser);
        // B100+: the Kafka API messages of issue 12.
        Register<Broker.TopicConfigsChanged>("B100", Broker.TopicConfigsChanged.Parser);
        Register<Broker.PartitionConfigsChanged>("B101", Broker.PartitionConfigsChanged.Parser);
        Register<Broker.PartitionDeleteRecords>("B102", Broker.PartitionDeleteRecords.Parser);
        Register<Broker.PartitionDeleteRecordsResult>("B103", Broker.PartitionDeleteRecordsResult.Parser);
        Register<Broker.PartitionOffsetForLeaderEpoch>("B104", Broker.PartitionOffsetForLeaderEpoch.Parser);
        Register<Broker.PartitionOffsetForLeaderEpochResult>("B105", Broker.PartitionOffsetForLeaderEpochResult.Parser);
        Register<Group.GroupPartition>("G1", Group.GroupPartition.Parser);
        Register<Group.MemberPartitions>("G2", Group.MemberPartitions.Parser);
        Register<Group.OffsetCommitPartition>("G3", Group.OffsetCommitPartition.Parser);
        Register<Group.OffsetCommitPartitionResult>("G4", Group.OffsetCommitPartitionResult.Parser);
        Register<Group.JoinGroupRequest>("G5", Group.JoinGroupRequest.Parser);
        Register<Group.JoinGroupMember>("G6", Group.JoinGroupMember.Parser);
        Register<Group.JoinGroupResponse>("G7", Group.JoinGroupResponse.Parser);
        Register<Group.SyncGroupRequest>("G8", Group.SyncGroupRequest.Parser);
        Register<Group.SyncGroupResponse>("G9", Group.SyncGroupResponse.Parser);
        Register<Group.HeartbeatRequest>("G10", Group.HeartbeatRequest.Parser);
        Register<Group.HeartbeatResponse>("G11", Group.HeartbeatResponse.Parser);
        Register<Group.LeaveGroupRequest>("G12", Group.LeaveGroupRequest.Parser);
        Register<Group.LeaveGroupResponse>("G13", Group.LeaveGroupResponse.Parser);
        Register<Group.OffsetCommitRequest>("G14", Group.OffsetCommitRequest.Parser);
        Register<Group.OffsetCommitResponse>("G15", Group.OffsetCommitResponse.Parser);
        Register<Group.OffsetFetchRequest>("G16", Group.OffsetFetchRequest.Parser);
        Register<Group.OffsetFetchPartitionResult>("G17", Group.OffsetFetchPartitionResult.Parser);
        Register<Group.OffsetFetchResponse>("G18", Group.OffsetFetchResponse.Parser);
        Register<Group.ListGroupsRequest>("G19", Group.ListGroupsRequest.Parser);
        Register<Group.GroupListing>("G20", Group.GroupListing.Parser);
        Register<Group.ListGroupsResponse>("G21", Group.ListGroupsResponse.Parser);
        Register<Group.DescribeGroupRequest>("G22", Group.DescribeGroupRequest.Parser);
        Register<Group.GroupMemberDescription>("G23", Group.GroupMemberDescription.Parser);
        Register<Group.GroupOffsetDescription>("G24", Group.GroupOffsetDescription.Parser);
        Register<Group.DescribeGroupResponse>("G25", Group.DescribeGroupResponse.Parser);
        Register<Group.DeleteGroupsRequest>("G26", Group.DeleteGroupsRequest.Parser);
        Register<Group.DeleteGroupResult>("G27", Group.DeleteGroupResult.Parser);
        Register<Group.DeleteGroupsResponse>("G28", Group.DeleteGroupsResponse.Parser);
        Register<Group.ResetOffsetsRequest>("G29", Group.ResetOffsetsRequest.Parser);
        Register<Group.ResetOffsetsResponse>("G30", Group.ResetOffsetsResponse.Parser);
        Register<Group.GroupCreatedEvent>("G31", Group.GroupCreatedEvent.Parser);
        Register<Group.MemberJoinedEvent>("G32", Group.MemberJoinedEvent.Parser);
        Register<Group.StaticMemberReplacedEvent>("G33", Group.StaticMemberReplacedEvent.Parser);
        Register<Group.MemberLeftEvent>("G34", Group.MemberLeftEvent.Parser);
        Register<Group.RebalanceStartedEvent>("G35", Group.RebalanceStartedEvent.Parser);
        Register<Group.GenerationCompletedEvent>("G36", Group.GenerationCompletedEvent.Parser);
        Register<Group.AssignmentSyncedEvent>("G37", Group.AssignmentSyncedEvent.Parser);
        Register<Group.OffsetsCommittedEvent>("G38", Group.OffsetsCommittedEvent.Parser);
        Register<Group.OffsetsExpiredEvent>("G39", Group.OffsetsExpiredEvent.Parser);
        Register<Group.GroupDeletedEvent>("G40", Group.GroupDeletedEvent.Parser);
        Register<Group.MemberSnapshot>("G41", Group.MemberSnapshot.Parser);
        Register<Group.CommittedOffsetSnapshot>("G42", Group.CommittedOffsetSnapshot.Parser);
        Register<Group.GroupSnapshot>("G43", Group.GroupSnapshot.Parser);
        Register<Group.GroupCoordinatorSnapshot>("G44", Group.GroupCoordinatorSnapshot.Parser);
        Register<Group.FindCoordinatorRequest>("G45", Group.FindCoordinatorRequest.Parser);
        Register<Group.FindCoordinatorResponse>("G46", Group.FindCoordinatorResponse.Parser);
        Register<Group.GroupProtocol>("G47", Group.GroupProtocol.Parser);
        Register<Group.MemberAssignmentBytes>("G48", Group.MemberAssignmentBytes.Parser);
        Register<Group.OffsetDeleteRequest>("G49", Group.OffsetDeleteRequest.Parser);
        Register<Group.OffsetDeleteResponse>("G50", Group.OffsetDeleteResponse.Parser);
        Register<Group.OffsetsDeletedEvent>("G51", Group.OffsetsDeletedEvent.Parser);
    }

    public ActorStreamSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => SerializerId;

    /// <summary>Every registered message type (a test checks it covers every generated message).</summary>
    public static IReadOnlyCollection<Type> RegisteredTypes => ManifestByType.Keys;

    private static void Register<T>(string manifest, MessageParser<T> parser)
        where T : IMessage<T>
    {
        ManifestByType.Add(typeof(T), manifest);
        ParserByManifest.Add(manifest, parser);
        TypeByManifest.Add(manifest, typeof(T));
    }

    public override string Manifest(object o) =>
        ManifestByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} is not registered with {nameof(ActorStreamSerializer)}", nameof(o));

    /// <summary>Protobuf bytes; messages with record batches are framed with their records raw (<see cref="RecordsFrame"/>).</summary>
    public override byte[] ToBinary(object obj) =>
        obj is not IMessage message ? throw new ArgumentException($"{obj.GetType()} is not a protobuf message", nameof(obj))
        : RecordsCodec.ByType.TryGetValue(obj.GetType(), out var codec) ? RecordsFrame.Write(message, codec)
        : message.ToByteArray();

    /// <summary>Reads both plain protobuf and records frames; record fields of a frame are slices of <paramref name="bytes"/>.</summary>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!ParserByManifest.TryGetValue(manifest, out var parser))
        {
            throw new System.Runtime.Serialization.SerializationException($"Unknown ActorStream manifest '{manifest}'");
        }

        return RecordsFrame.IsFramed(bytes) && TypeByManifest[manifest] is var type && RecordsCodec.ByType.TryGetValue(type, out var codec)
            ? RecordsFrame.Read(bytes, parser, codec)
            : parser.ParseFrom(bytes);
    }
}
