using Google.Protobuf;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;
using ActorStream.Protocol;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// SyncGroup v0-5: the leader's client-side assignment is stored per member and relayed to each member byte for byte.
/// For protocol type "consumer" (or unknown before v5, which does not send it) each member's ConsumerProtocolAssignment
/// is decoded, best effort, so the coordinator knows the partitions for describe, lag and `groups` commands. v5: the
/// protocol type and name are checked against the group's (INCONSISTENT_GROUP_PROTOCOL) and answered. A follower's
/// sync is parked until the leader's arrives; the coordinator answers it within the group's session timeout at most.
/// </summary>
internal sealed class Api14SyncGroup : KafkaApi<SyncGroupRequest, SyncGroupResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    public override string Notes =>
        "The leader's assignment relayed byte for byte (ConsumerProtocolAssignment decoded for describe and lag); v5 protocol type/name checked.";

    protected override async ValueTask<SyncGroupResponse?> HandleAsync(KafkaRequestContext context, SyncGroupRequest request, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        if (string.IsNullOrEmpty(request.GroupId))
        {
            return Failed(ErrorCode.InvalidGroupId);
        }

        var native = new NativeGroup.SyncGroupRequest
        {
            GroupId = request.GroupId,
            MemberId = request.MemberId,
            GenerationId = request.GenerationId,
        };
        if (request.GroupInstanceId is { } instanceId)
        {
            native.GroupInstanceId = instanceId;
        }

        if (request.ProtocolType is { } protocolType)
        {
            native.ProtocolType = protocolType;
        }

        if (request.ProtocolName is { } protocolName)
        {
            native.ProtocolName = protocolName;
        }

        var decode = request.ProtocolType is null or ConsumerProtocol.ProtocolType;
        foreach (var assignment in request.Assignments)
        {
            var bytes = new NativeGroup.MemberAssignmentBytes { MemberId = assignment.MemberId, Assignment = ByteString.CopyFrom(assignment.Assignment) };
            if (decode && ConsumerProtocol.TryDeserializeAssignment(assignment.Assignment) is { } decoded)
            {
                bytes.Partitions.AddRange(decoded.AssignedPartitions.SelectMany(t => t.Partitions.Select(p => new NativeGroup.GroupPartition { Topic = t.Topic, Partition = p })));
            }

            native.KafkaAssignments.Add(bytes);
        }

        // A follower waits here for the leader's sync, which the coordinator bounds by the members' session timeouts.
        var timeout = TimeSpan.FromMilliseconds(context.Services.Settings.Group.MaxSessionTimeoutMs) + KafkaGroupCoordinator.ParkedMargin;
        var (answer, error) = await KafkaGroupCoordinator.AskAsync<NativeGroup.SyncGroupResponse>(context, native, timeout, cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            return Failed(error);
        }

        var response = new SyncGroupResponse
        {
            ErrorCode = KafkaGroupCoordinator.Code(answer.ErrorCode),
            Assignment = answer.KafkaAssignment.ToByteArray(),
        };
        if (version >= 5)
        {
            response.ProtocolType = answer.HasProtocolType ? answer.ProtocolType : null;
            response.ProtocolName = answer.HasProtocolName ? answer.ProtocolName : null;
        }

        return response;
    }

    private static SyncGroupResponse Failed(ErrorCode error) => new() { ErrorCode = (short)error };
}
