using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// Heartbeat v0-4: keeps a Kafka-protocol member's session alive. REBALANCE_IN_PROGRESS tells it to rejoin;
/// ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID and FENCED_INSTANCE_ID (v3+ static members) as Kafka's coordinator answers.
/// </summary>
internal sealed class Api12Heartbeat : KafkaApi<HeartbeatRequest, HeartbeatResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    public override string Notes => "REBALANCE_IN_PROGRESS signals a rebalance; ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID as Kafka.";

    protected override async ValueTask<HeartbeatResponse?> HandleAsync(KafkaRequestContext context, HeartbeatRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.GroupId))
        {
            return new HeartbeatResponse { ErrorCode = (short)ErrorCode.InvalidGroupId };
        }

        var native = new NativeGroup.HeartbeatRequest { GroupId = request.GroupId, MemberId = request.MemberId, GenerationId = request.GenerationId };
        if (request.GroupInstanceId is { } instanceId)
        {
            native.GroupInstanceId = instanceId;
        }

        var (answer, error) = await KafkaGroupCoordinator.AskAsync<NativeGroup.HeartbeatResponse>(context, native, context.Services.RequestTimeout, cancellationToken).ConfigureAwait(false);
        return new HeartbeatResponse { ErrorCode = answer is null ? (short)error : KafkaGroupCoordinator.Code(answer.ErrorCode) };
    }
}
