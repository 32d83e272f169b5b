using Google.Protobuf;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;
using ActorStream.Protocol;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// JoinGroup v0-9 onto the group coordinator's Kafka mode (mode 2): the coordinator votes over the members' protocol
/// names, keeps each member's metadata bytes untouched and hands the leader every member's metadata for the chosen
/// protocol. For protocol type "consumer" the gateway also decodes the first protocol's ConsumerProtocolSubscription
/// into topics and owned partitions for describe and lag (best effort: bytes that are not one leave them empty, the
/// join goes on). v4+: a new dynamic member first gets MEMBER_ID_REQUIRED with its id (KIP-394); v5+ static members
/// (group.instance.id); v8+ the reason is logged; v9 skip_assignment for a static leader rejoining a Stable group
/// (KIP-814). The request is parked at the coordinator until the round completes, for at most the member's rebalance
/// timeout (v0: its session timeout).
/// </summary>
internal sealed class Api11JoinGroup : KafkaApi<JoinGroupRequest, JoinGroupResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 9;

    public override string Notes =>
        "Kafka-protocol groups on the group coordinator: protocol vote, metadata passed through; MEMBER_ID_REQUIRED (v4+), static members (v5+), skip_assignment (v9).";

    protected override async ValueTask<JoinGroupResponse?> HandleAsync(KafkaRequestContext context, JoinGroupRequest request, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        if (string.IsNullOrEmpty(request.GroupId))
        {
            return Failed(ErrorCode.InvalidGroupId, request.MemberId, version);
        }

        var rebalanceTimeoutMs = version >= 1 && request.RebalanceTimeoutMs > 0 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs;
        var native = new NativeGroup.JoinGroupRequest
        {
            GroupId = request.GroupId,
            MemberId = request.MemberId,
            ClientId = context.Header.ClientId ?? "",
            SessionTimeoutMs = request.SessionTimeoutMs,
            RebalanceTimeoutMs = rebalanceTimeoutMs,
            Kafka = true,
            ProtocolType = request.ProtocolType,
            ClientHost = KafkaGroupCoordinator.ClientHost(context.RemoteEndPoint),
            RequireKnownMemberId = version >= 4,
        };
        if (request.GroupInstanceId is { } instanceId)
        {
            native.GroupInstanceId = instanceId;
        }

        if (request.Reason is { } reason)
        {
            native.Reason = reason;
        }

        foreach (var protocol in request.Protocols)
        {
            native.Protocols.Add(new NativeGroup.GroupProtocol { Name = protocol.Name, Metadata = ByteString.CopyFrom(protocol.Metadata) });
        }

        if (request.ProtocolType == ConsumerProtocol.ProtocolType && request.Protocols.Count > 0
            && ConsumerProtocol.TryDeserializeSubscription(request.Protocols[0].Metadata) is { } subscription)
        {
            native.Topics.AddRange(subscription.Topics.Distinct(StringComparer.Ordinal));
            native.OwnedPartitions.AddRange(subscription.OwnedPartitions.SelectMany(t => t.Partitions.Select(p => new NativeGroup.GroupPartition { Topic = t.Topic, Partition = p })));
        }

        var timeout = TimeSpan.FromMilliseconds(Math.Max(0, rebalanceTimeoutMs)) + KafkaGroupCoordinator.ParkedMargin;
        var (answer, error) = await KafkaGroupCoordinator.AskAsync<NativeGroup.JoinGroupResponse>(context, native, timeout, cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            return Failed(error, request.MemberId, version);
        }

        var response = new JoinGroupResponse
        {
            ErrorCode = KafkaGroupCoordinator.Code(answer.ErrorCode),
            GenerationId = answer.GenerationId,
            MemberId = answer.MemberId,
            Leader = answer.HasLeaderId ? answer.LeaderId : "",
            ProtocolName = answer.HasProtocolName ? answer.ProtocolName : version >= 7 ? null : "",
        };
        if (version >= 7)
        {
            response.ProtocolType = answer.ErrorCode == 0 ? answer.ProtocolType : null;
        }

        if (version >= 9)
        {
            response.SkipAssignment = answer.SkipAssignment;
        }

        foreach (var member in answer.Members)
        {
            response.Members.Add(new JoinGroupResponse.JoinGroupResponseMember
            {
                MemberId = member.MemberId,
                GroupInstanceId = version >= 5 && member.HasGroupInstanceId ? member.GroupInstanceId : null,
                Metadata = member.Metadata.ToByteArray(),
            });
        }

        return response;
    }

    private static JoinGroupResponse Failed(ErrorCode error, string memberId, short version) => new()
    {
        ErrorCode = (short)error,
        GenerationId = -1,
        MemberId = memberId,
        ProtocolName = version >= 7 ? null : "",
    };
}
