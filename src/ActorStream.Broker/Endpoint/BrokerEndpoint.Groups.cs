using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Event;
using ActorStream.Broker.Group;
using ActorStream.Protocol;
using ActorStream.Protocol.Group;

namespace ActorStream.Broker.Endpoint;

/// <summary>
/// Consumer group requests. The endpoint knows whether the group coordinator singleton runs on this node (it looks for
/// <c>/user/group-coordinator/singleton</c> until it finds it, then watches it) and answers FindCoordinator for itself
/// only. Clients send their group requests to the node that claimed the coordinator, so a request goes straight to the
/// local singleton and the client's connection to that node tells it at once when the node dies (NodeLinks). Requests
/// that reach a node without the coordinator (admin tools ask any node) still go through the singleton proxy.
/// </summary>
public sealed partial class BrokerEndpoint
{
    private static readonly TimeSpan LocalCoordinatorLookInterval = TimeSpan.FromMilliseconds(250);

    private sealed class LookForLocalCoordinator
    {
        public static readonly LookForLocalCoordinator Instance = new();
    }

    private IActorRef? _localCoordinator;

    private void StartLookingForLocalCoordinator() =>
        Timers.StartPeriodicTimer("local-coordinator", LookForLocalCoordinator.Instance, TimeSpan.Zero, LocalCoordinatorLookInterval);

    private void ReceiveLocalCoordinatorTracking()
    {
        var path = $"/user/{GroupCoordinator.Name}/{ClusterSingletonManagerSettings.Create(Context.System).SingletonName}";
        Receive<LookForLocalCoordinator>(_ => Context.ActorSelection(path).Tell(new Identify(path), Self));
        Receive<ActorIdentity>(identity =>
        {
            if (identity.Subject is null || _localCoordinator is not null)
            {
                return;
            }

            _localCoordinator = identity.Subject;
            Context.Watch(_localCoordinator);
            Timers.Cancel("local-coordinator");
            _log.Info("[BrokerEndpoint] The group coordinator runs on this node");
        });
        Receive<Terminated>(terminated =>
        {
            if (!terminated.ActorRef.Equals(_localCoordinator))
            {
                return;
            }

            _localCoordinator = null;
            _log.Info("[BrokerEndpoint] The group coordinator left this node");
            StartLookingForLocalCoordinator();
        });
    }

    private void ReceiveGroupRequests()
    {
        Receive<FindCoordinatorRequest>(_ => Sender.Tell(_localCoordinator is null
            ? new FindCoordinatorResponse { ErrorCode = (int)ErrorCode.CoordinatorNotAvailable, NodeId = -1 }
            : new FindCoordinatorResponse { ErrorCode = (int)ErrorCode.None, NodeId = _settings.NodeId }));

        // Forward keeps the member's actor as the sender, so the coordinator can watch it.
        Receive<JoinGroupRequest>(ForwardToCoordinator);
        Receive<SyncGroupRequest>(ForwardToCoordinator);
        Receive<HeartbeatRequest>(ForwardToCoordinator);
        Receive<LeaveGroupRequest>(ForwardToCoordinator);
        Receive<OffsetCommitRequest>(ForwardToCoordinator);
        Receive<OffsetFetchRequest>(ForwardToCoordinator);
        Receive<ListGroupsRequest>(ForwardToCoordinator);
        Receive<DescribeGroupRequest>(ForwardToCoordinator);
        Receive<DeleteGroupsRequest>(ForwardToCoordinator);
        Receive<ResetOffsetsRequest>(ForwardToCoordinator);
        Receive<OffsetDeleteRequest>(ForwardToCoordinator);
    }

    // The local singleton directly: while the singleton moves, this node's proxy may still point at the old (dead) node.
    private void ForwardToCoordinator(object request) => (_localCoordinator ?? _groupCoordinator).Forward(request);
}
