using Akka.Event;
using ActorStream.Broker.Hosting;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Controller;

/// <summary>Which node registrations the controller refuses: it is the authority on the node ids the journal knows.</summary>
public sealed partial class ClusterController
{
    /// <summary>
    /// Kafka's DUPLICATE_BROKER_REGISTRATION: the node id is registered at another address by a node that is still a cluster
    /// member. A node restarting on its own address after a crash is its new incarnation (only one process can listen on a
    /// host:port), so it may register even before the old incarnation is removed. The same incarnation (address and uid)
    /// asking again is a retry of an accepted registration.
    /// <para>
    /// A registration without a cluster id comes from a data dir without <c>meta.properties</c>. For a node id the journal
    /// already knows, that data dir lost (or never had) the node's logs: serving its partitions would silently serve them as
    /// empty, so it is refused unless the operator accepted the empty data dir.
    /// </para>
    /// </summary>
    private (ErrorCode Code, string Message)? RefuseRegistration(NodeRegistration registration)
    {
        if (!_nodes.TryGetValue(registration.NodeId, out var known))
        {
            return null;
        }

        if (known.Uid != 0 && known.Uid == registration.Uid && known.Address == registration.Address)
        {
            // The same incarnation asking again (its first answer was late or lost): it was accepted already.
            return null;
        }

        if (known.Address != registration.Address && _memberAddresses.Contains(known.Address))
        {
            return (ErrorCode.DuplicateBrokerRegistration,
                $"Node id {registration.NodeId} is already registered by a running cluster member at {known.Host}:{known.Port} (DUPLICATE_BROKER_REGISTRATION): give this node another --node-id, or stop that node first");
        }

        if (registration.ClusterId.Length == 0 && !registration.AcceptEmptyDataDir)
        {
            var journal = JournalSettings.Parse(_settings.Journal, _settings.DataDir).Description;
            return (ErrorCode.InconsistentClusterId,
                $"The data dir {registration.DataDir} has no {MetaProperties.FileName}, but the journal {journal} already knows node {registration.NodeId} (last at {known.Host}:{known.Port}): its partitions would be served as empty. Start node {registration.NodeId} with its own data dir, or pass --accept-empty-data-dir to rebuild this one from the other replicas");
        }

        if (registration.ClusterId.Length == 0)
        {
            _log.Warning(
                "[Controller] Node {0} starts with an empty data dir {1} (accept-empty-data-dir): the journal knew it at {2}:{3}",
                registration.NodeId,
                registration.DataDir,
                known.Host,
                known.Port);
        }

        return null;
    }

    /// <summary>What is persisted of a registration: without its transient fields.</summary>
    private static NodeRegistration Persistable(NodeRegistration registration)
    {
        var node = registration.Clone();
        node.DataDir = "";
        node.AcceptEmptyDataDir = false;
        return node;
    }
}
