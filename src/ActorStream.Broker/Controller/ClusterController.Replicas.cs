using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using ActorStream.Broker.Partition;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Controller;

/// <summary>
/// In-sync replicas: the controller is their only authority (Kafka's AlterPartition model). A leader asks to change
/// the ISR with its leader epoch and the partition epoch it last saw; the change is persisted, published, and only
/// then used. A node that leaves the cluster is taken out of every ISR it was in (never the last member), and loses
/// leadership, so the survivors can acknowledge <c>acks=all</c> without waiting for it.
/// </summary>
public sealed partial class ClusterController
{
    private void Apply(IsrChanged e)
    {
        if (FindPartition(e.TopicId, e.Partition) is not { } found)
        {
            return;
        }

        var partition = found.Partition;
        partition.Isr.Clear();
        partition.Isr.AddRange(e.Isr);
        partition.PartitionEpoch = e.PartitionEpoch;
        if (e.HasLeaderId)
        {
            partition.LeaderId = e.LeaderId;
        }
    }

    private (TopicState Topic, PartitionAssignment Partition)? FindPartition(string topicId, int partition)
    {
        var topic = _topics.Values.FirstOrDefault(t => t.TopicId == topicId);
        var assignment = topic?.Partitions.FirstOrDefault(p => p.Partition == partition);
        return topic is null || assignment is null ? null : (topic, assignment);
    }

    private static bool UncleanElectionEnabled(TopicState topic) =>
        topic.Configs.TryGetValue(TopicConfigs.UncleanLeaderElectionEnable, out var value) && bool.TryParse(value, out var enabled) && enabled;

    private void HandleAlterIsr(AlterIsr request)
    {
        if (FindPartition(request.TopicId, request.Partition) is not { } found)
        {
            Sender.Tell(new AlterIsrResult { ErrorCode = (int)ErrorCode.UnknownTopicOrPartition, ErrorMessage = $"No partition {request.Partition} of topic id {request.TopicId}" });
            return;
        }

        var (topic, partition) = found;
        var refusal = ValidateAlterIsr(request, partition) ?? RefuseDroppingUnreachable(request, partition);
        if (refusal is { } error)
        {
            Sender.Tell(new AlterIsrResult { ErrorCode = (int)error.Code, ErrorMessage = $"{topic.Name}-{partition.Partition}: {error.Message}", Partition = partition.Clone() });
            return;
        }

        var changed = new IsrChanged { TopicId = request.TopicId, Partition = request.Partition, PartitionEpoch = partition.PartitionEpoch + 1 };
        changed.Isr.AddRange(request.NewIsr.Distinct().Order());
        var replyTo = Sender;
        PersistAllThen([changed], () =>
        {
            _log.Info("[Controller] ISR of {0}-{1} is now [{2}] (partition epoch {3})", topic.Name, partition.Partition, string.Join(',', partition.Isr), partition.PartitionEpoch);
            replyTo.Tell(new AlterIsrResult { Partition = partition.Clone() });
            CompleteCaughtUpReassignments();
        });
    }

    private static (ErrorCode Code, string Message)? ValidateAlterIsr(AlterIsr request, PartitionAssignment partition)
    {
        if (request.LeaderId != partition.LeaderId || request.LeaderEpoch != partition.LeaderEpoch)
        {
            return (ErrorCode.FencedLeaderEpoch, $"node {request.LeaderId} with epoch {request.LeaderEpoch} is not the leader (node {partition.LeaderId}, epoch {partition.LeaderEpoch})");
        }

        if (request.PartitionEpoch != partition.PartitionEpoch)
        {
            return (ErrorCode.InvalidUpdateVersion, $"partition epoch {request.PartitionEpoch} is stale (now {partition.PartitionEpoch})");
        }

        if (!request.NewIsr.Contains(request.LeaderId) || request.NewIsr.Any(n => !partition.Replicas.Contains(n)))
        {
            return (ErrorCode.InvalidRequest, $"ISR [{string.Join(',', request.NewIsr)}] must contain the leader and only replicas [{string.Join(',', partition.Replicas)}]");
        }

        return null;
    }

    /// <summary>Registered nodes that are cluster members now: new replicas go only to them.</summary>
    private List<int> LiveNodeIds => _nodes.Values.Where(n => _memberAddresses.Contains(n.Address)).Select(n => n.NodeId).Order().ToList();

    private void HandleMemberUp(ClusterEvent.MemberUp up) => _memberAddresses.Add(up.Member.Address.ToString());

    /// <summary>
    /// A leader may not drop an unreachable node from the ISR: whether that node is gone or this side is the minority
    /// is the split brain resolver's decision, and <see cref="RemoveNode"/> acts on it. Otherwise a controller cut off
    /// with an isolated leader could persist "ISR = [that leader]" before its side downs itself, and the majority could
    /// never elect a leader again (unclean election being off). Slow but reachable followers are dropped as usual.
    /// </summary>
    private (ErrorCode Code, string Message)? RefuseDroppingUnreachable(AlterIsr request, PartitionAssignment partition)
    {
        var unreachable = Akka.Cluster.Cluster.Get(Context.System).State.Unreachable.Select(m => m.Address.ToString()).ToHashSet(StringComparer.Ordinal);
        var dropped = partition.Isr.Except(request.NewIsr)
            .Where(n => _nodes.TryGetValue(n, out var node) && unreachable.Contains(node.Address))
            .ToList();
        return dropped.Count == 0
            ? null
            : (ErrorCode.RequestTimedOut, $"nodes [{string.Join(',', dropped)}] are unreachable: they leave the ISR when the cluster downs them, not before");
    }

    /// <summary>A node left or was downed: out of every ISR (unless it is the last member) and out of leadership.</summary>
    private void HandleMemberRemoved(ClusterEvent.MemberRemoved removed)
    {
        var address = removed.Member.Address.ToString();
        _memberAddresses.Remove(address);
        if (_nodes.Values.FirstOrDefault(n => n.Address == address) is { } node)
        {
            RemoveNode(node);
        }
    }

    /// <summary>
    /// Where the controller starts (first start, restart, hand-over) it may have missed removals: registered nodes that
    /// are not cluster members now are treated as removed.
    /// </summary>
    private void HandleClusterState(ClusterEvent.CurrentClusterState state)
    {
        var members = state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Leaving)
            .Select(m => m.Address.ToString())
            .ToHashSet(StringComparer.Ordinal);
        _memberAddresses.Clear();
        _memberAddresses.UnionWith(members);
        foreach (var node in _nodes.Values.Where(n => !members.Contains(n.Address)).ToList())
        {
            RemoveNode(node);
        }
    }

    private void RemoveNode(NodeRegistration node)
    {
        var events = new List<object>();
        foreach (var topic in _topics.Values)
        {
            foreach (var partition in topic.Partitions)
            {
                var inIsr = partition.Isr.Contains(node.NodeId) && partition.Isr.Count > 1;
                var leading = partition.LeaderId == node.NodeId;
                if (!inIsr && !leading)
                {
                    continue;
                }

                var changed = new IsrChanged { TopicId = topic.TopicId, Partition = partition.Partition, PartitionEpoch = partition.PartitionEpoch + 1 };
                changed.Isr.AddRange(inIsr ? partition.Isr.Where(n => n != node.NodeId) : partition.Isr);
                if (leading)
                {
                    changed.LeaderId = -1;
                }

                events.Add(changed);
            }
        }

        if (events.Count > 0)
        {
            _log.Info("[Controller] Node {0} ({1}) is not in the cluster: out of {2} ISRs/leaderships", node.NodeId, node.Address, events.Count);
            PersistAllThen(events, () => { });
        }
    }
}
