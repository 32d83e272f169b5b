using Akka.Actor;
using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// FindCoordinator v0-4. Groups (key type 0): the node hosting the group coordinator singleton, found as the native
/// client finds it: every node answers for itself only, so this node asks itself first, then the others. One node
/// coordinates every group. Transactions (key type 1) get TRANSACTIONAL_ID_AUTHORIZATION_FAILED: there is no
/// transaction coordinator yet. librdkafka only enables lz4 when the broker advertises this API.
/// </summary>
internal sealed class Api10FindCoordinator : KafkaApi<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private const sbyte GroupKeyType = 0;

    private const sbyte TransactionKeyType = 1;

    /// <summary>
    /// How long a peer's endpoint may take to say whether it hosts the coordinator (it answers from its own state at
    /// once): past it, a dead or unreachable peer counts as "not here", and without another claim the client gets the
    /// retriable COORDINATOR_NOT_AVAILABLE rather than an answer after its own request timeout.
    /// </summary>
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(3);

    /// <summary>From v4 (KIP-699) a request carries a batch of keys.</summary>
    private const short FirstBatchedVersion = 4;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    public override string Notes =>
        "Groups: the node hosting the group coordinator (one for all groups). Transactions: TRANSACTIONAL_ID_AUTHORIZATION_FAILED (none yet).";

    protected override async ValueTask<FindCoordinatorResponse?> HandleAsync(KafkaRequestContext context, FindCoordinatorRequest request, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        var keys = version >= FirstBatchedVersion ? request.CoordinatorKeys : [request.Key];
        FindCoordinatorResponse.Coordinator? found = null;
        var coordinators = new List<FindCoordinatorResponse.Coordinator>(keys.Count);
        foreach (var key in keys)
        {
            var coordinator = request.KeyType switch
            {
                GroupKeyType => found ??= await GroupCoordinatorAsync(context, cancellationToken).ConfigureAwait(false),
                TransactionKeyType => Error(ErrorCode.TransactionalIdAuthorizationFailed, "Transactions are not supported yet"),
                _ => Error(ErrorCode.InvalidRequest, $"Unknown coordinator key type {request.KeyType}"),
            };
            coordinators.Add(new FindCoordinatorResponse.Coordinator
            {
                Key = key,
                NodeId = coordinator.NodeId,
                Host = coordinator.Host,
                Port = coordinator.Port,
                ErrorCode = coordinator.ErrorCode,
                ErrorMessage = coordinator.ErrorMessage,
            });
        }

        if (version >= FirstBatchedVersion)
        {
            return new FindCoordinatorResponse { Coordinators = coordinators };
        }

        var single = coordinators[0];
        return new FindCoordinatorResponse
        {
            ErrorCode = single.ErrorCode,
            ErrorMessage = version >= 1 ? single.ErrorMessage : "",
            NodeId = single.NodeId,
            Host = single.Host,
            Port = single.Port,
        };
    }

    private static FindCoordinatorResponse.Coordinator Error(ErrorCode error, string message) =>
        new() { ErrorCode = (short)error, ErrorMessage = message, NodeId = -1, Host = "", Port = -1 };

    private static async Task<FindCoordinatorResponse.Coordinator> GroupCoordinatorAsync(KafkaRequestContext context, CancellationToken cancellationToken)
    {
        var services = context.Services;
        var metadata = await services.BrokerEndpoint
            .Ask<Native.MetadataResponse>(new Native.MetadataRequest(), services.RequestTimeout, cancellationToken)
            .ConfigureAwait(false);
        var nodeId = await AskAsync(services.BrokerEndpoint, services.RequestTimeout, cancellationToken).ConfigureAwait(false);
        if (nodeId < 0)
        {
            // The first node that claims the coordinator answers: a killed node stays in the metadata until it is
            // removed, and its ask would otherwise hold every lookup for the whole timeout.
            var peerTimeout = services.RequestTimeout < PeerTimeout ? services.RequestTimeout : PeerTimeout;
            var others = metadata.Brokers
                .Where(b => b.NodeId != services.NodeId && !string.IsNullOrEmpty(b.Address))
                .Select(b => AskAsync(services.System.ActorSelection($"{b.Address}/user/broker"), peerTimeout, cancellationToken))
                .ToList();
            while (nodeId < 0 && others.Count > 0)
            {
                var answered = await Task.WhenAny(others).ConfigureAwait(false);
                others.Remove(answered);
                nodeId = await answered.ConfigureAwait(false);
            }
        }

        var broker = KafkaBrokers.For(context, metadata).FirstOrDefault(b => b.NodeId == nodeId);
        return nodeId < 0 || broker == default
            ? Error(ErrorCode.CoordinatorNotAvailable, "The group coordinator is not available yet (it is starting or moving)")
            : new FindCoordinatorResponse.Coordinator { NodeId = broker.NodeId, Host = broker.Host, Port = broker.Port, ErrorMessage = null };
    }

    /// <summary>The node id an endpoint claims for itself, or -1 (no coordinator there, or no answer).</summary>
    private static async Task<int> AskAsync(ICanTell endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var response = endpoint switch
            {
                IActorRef actor => await actor.Ask<NativeGroup.FindCoordinatorResponse>(new NativeGroup.FindCoordinatorRequest(), timeout, cancellationToken).ConfigureAwait(false),
                ActorSelection selection => await selection.Ask<NativeGroup.FindCoordinatorResponse>(new NativeGroup.FindCoordinatorRequest(), timeout, cancellationToken).ConfigureAwait(false),
                _ => throw new ArgumentException("Not an actor or a selection", nameof(endpoint)),
            };
            return response.ErrorCode == 0 ? response.NodeId : -1;
        }
        catch (AskTimeoutException)
        {
            return -1;
        }
    }
}
