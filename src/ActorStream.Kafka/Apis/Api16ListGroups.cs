using ActorStream.Kafka.Messages;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// ListGroups v0-5: every group of the coordinator, Kafka-protocol and native alike, with its state (v4+). Kafka's
/// admin clients send ListGroups to every broker and concatenate the answers, so only the node hosting the coordinator
/// lists groups (the others answer an empty list): each group appears once. The protocol type is the Kafka members'
/// ("consumer" for native and classic-mode groups, so Kafka's admin tools list them; "" for a group with offsets only).
/// v4 filters by state and v5 by type, both case-insensitively as Kafka: type "classic" is a Kafka-protocol group (or one
/// with offsets only), "consumer" a native group (server-side assignment, KIP-848's kind) or a classic-mode one.
/// </summary>
internal sealed class Api16ListGroups : KafkaApi<ListGroupsRequest, ListGroupsResponse>
{
    private const string KafkaMode = "kafka";

    private const string ClassicType = "classic";

    private const string ConsumerType = "consumer";

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    public override string Notes =>
        "Kafka-protocol and native groups with their state; only the coordinator's node lists them (admin clients ask every node); v4 state and v5 type filters.";

    protected override async ValueTask<ListGroupsResponse?> HandleAsync(KafkaRequestContext context, ListGroupsRequest request, CancellationToken cancellationToken)
    {
        if (!await KafkaGroupCoordinator.IsLocalAsync(context, cancellationToken).ConfigureAwait(false))
        {
            return new ListGroupsResponse();
        }

        var (answer, error) = await KafkaGroupCoordinator.AskAsync<NativeGroup.ListGroupsResponse>(context, new NativeGroup.ListGroupsRequest(), context.Services.RequestTimeout, cancellationToken).ConfigureAwait(false);
        if (answer is null || answer.ErrorCode != 0)
        {
            // The coordinator just left this node: another node lists the groups now.
            return answer is null && error == ActorStream.Protocol.ErrorCode.NotCoordinator
                ? new ListGroupsResponse()
                : new ListGroupsResponse { ErrorCode = answer is null ? (short)error : KafkaGroupCoordinator.Code(answer.ErrorCode) };
        }

        var states = request.StatesFilter.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var types = request.TypesFilter.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new ListGroupsResponse
        {
            Groups = answer.Groups
                .Where(g => states.Count == 0 || states.Contains(g.State))
                .Where(g => types.Count == 0 || types.Contains(GroupType(g)))
                .Select(g => new ListGroupsResponse.ListedGroup
                {
                    GroupId = g.GroupId,
                    ProtocolType = g.KafkaProtocolType,
                    GroupState = g.State,
                    GroupType = GroupType(g),
                })
                .ToList(),
        };
    }

    private static string GroupType(NativeGroup.GroupListing group) =>
        group.ProtocolType is KafkaMode or "" ? ClassicType : ConsumerType;
}
