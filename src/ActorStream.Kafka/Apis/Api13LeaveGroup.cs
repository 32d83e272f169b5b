using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// LeaveGroup v0-5. v0-2: one member by id, one error. v3+ (KIP-345): several members, each by member id or by
/// group.instance.id (a static member's id may be unknown to the caller, as with Kafka's admin tools), with an error
/// per member; errors of the whole group (unknown group, not the coordinator) go to the top-level error code as
/// Kafka's coordinator answers them (an unknown group: UNKNOWN_MEMBER_ID). v5+: each member's reason is logged by the
/// coordinator.
/// </summary>
internal sealed class Api13LeaveGroup : KafkaApi<LeaveGroupRequest, LeaveGroupResponse>
{
    private const short FirstBatchedVersion = 3;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    public override string Notes => "v3+ several members by member id or group instance id, an error per member.";

    protected override async ValueTask<LeaveGroupResponse?> HandleAsync(KafkaRequestContext context, LeaveGroupRequest request, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        if (string.IsNullOrEmpty(request.GroupId))
        {
            return new LeaveGroupResponse { ErrorCode = (short)ErrorCode.InvalidGroupId };
        }

        if (version < FirstBatchedVersion)
        {
            var single = await LeaveAsync(context, request.GroupId, new LeaveGroupRequest.MemberIdentity { MemberId = request.MemberId }, cancellationToken).ConfigureAwait(false);
            return new LeaveGroupResponse { ErrorCode = (short)AsKafka(single) };
        }

        var response = new LeaveGroupResponse();
        foreach (var member in request.Members)
        {
            var error = await LeaveAsync(context, request.GroupId, member, cancellationToken).ConfigureAwait(false);
            if (IsGroupError(error))
            {
                // As Kafka: the whole request failed; no member results.
                return new LeaveGroupResponse { ErrorCode = (short)AsKafka(error) };
            }

            response.Members.Add(new LeaveGroupResponse.MemberResponse { MemberId = member.MemberId, GroupInstanceId = member.GroupInstanceId, ErrorCode = (short)error });
        }

        return response;
    }

    private static async Task<ErrorCode> LeaveAsync(KafkaRequestContext context, string groupId, LeaveGroupRequest.MemberIdentity member, CancellationToken cancellationToken)
    {
        var native = new NativeGroup.LeaveGroupRequest { GroupId = groupId, MemberId = member.MemberId };
        if (member.GroupInstanceId is { } instanceId)
        {
            native.GroupInstanceId = instanceId;
        }

        if (member.Reason is { } reason)
        {
            native.Reason = reason;
        }

        var (answer, error) = await KafkaGroupCoordinator.AskAsync<NativeGroup.LeaveGroupResponse>(context, native, context.Services.RequestTimeout, cancellationToken).ConfigureAwait(false);
        return answer is null ? error : (ErrorCode)answer.ErrorCode;
    }

    private static bool IsGroupError(ErrorCode error) =>
        error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress
            or ErrorCode.InvalidGroupId or ErrorCode.GroupIdNotFound;

    // Kafka's coordinator answers a leave from a group it does not know with UNKNOWN_MEMBER_ID.
    private static ErrorCode AsKafka(ErrorCode error) => error == ErrorCode.GroupIdNotFound ? ErrorCode.UnknownMemberId : error;
}
