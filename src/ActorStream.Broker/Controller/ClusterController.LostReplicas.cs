using Akka.Actor;
using Akka.Event;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Controller;

/// <summary>
/// A replica elected as leader whose log is missing or short of what its partition's journal proves existed
/// (<see cref="ReplicaLogLost"/>, sent before it serves anything). Like Kafka's unclean leader election, off by default:
/// <list type="bullet">
/// <item>another in-sync replica exists: the node leaves the ISR and the leadership (persisted first), the partition moves
/// to an in-sync replica and the node catches up from it as a follower;</item>
/// <item>none, <c>unclean.leader.election.enable=false</c>: the partition goes offline (leader -1, ISR unchanged) until an
/// in-sync replica with the data returns;</item>
/// <item>none, <c>unclean.leader.election.enable=true</c>: the node leads from what its log has (the rest is lost).</item>
/// </list>
/// </summary>
public sealed partial class ClusterController
{
    private void HandleReplicaLogLost(ReplicaLogLost lost)
    {
        if (FindPartition(lost.TopicId, lost.Partition) is not { } found)
        {
            Sender.Tell(new ReplicaLogLostResult { ErrorCode = (int)ErrorCode.UnknownTopicOrPartition, ErrorMessage = $"No partition {lost.Partition} of topic id {lost.TopicId}" });
            return;
        }

        var (topic, partition) = found;
        var name = $"{topic.Name}-{partition.Partition}";
        if (partition.LeaderId != lost.NodeId || partition.LeaderEpoch != lost.LeaderEpoch)
        {
            Sender.Tell(new ReplicaLogLostResult
            {
                ErrorCode = (int)ErrorCode.FencedLeaderEpoch,
                ErrorMessage = $"{name}: node {lost.NodeId} with epoch {lost.LeaderEpoch} is not the leader (node {partition.LeaderId}, epoch {partition.LeaderEpoch})",
                Partition = partition.Clone(),
            });
            return;
        }

        var others = partition.Isr.Where(n => n != lost.NodeId).ToList();
        var replyTo = Sender;
        if (others.Count == 0 && UncleanElectionEnabled(topic))
        {
            _log.Warning("[Controller] {0}: node {1} leads from offset {2} although offsets [{2}, {3}) are missing from its log {4} (unclean.leader.election.enable=true)", name, lost.NodeId, lost.LogEndOffset, lost.RequiredOffset, lost.LogDir);
            replyTo.Tell(new ReplicaLogLostResult { LeadUnclean = true, Partition = partition.Clone() });
            return;
        }

        // Out of the leadership (and of the ISR when another in-sync replica has the data), persisted before the node acts.
        var changed = new IsrChanged { TopicId = topic.TopicId, Partition = partition.Partition, PartitionEpoch = partition.PartitionEpoch + 1, LeaderId = -1 };
        changed.Isr.AddRange(others.Count > 0 ? others : partition.Isr);
        PersistAllThen([changed], () =>
        {
            if (others.Count > 0)
            {
                _log.Warning("[Controller] {0}: node {1} lost offsets [{2}, {3}) of its log {4}: out of the ISR, now [{5}]; it catches up from an in-sync replica", name, lost.NodeId, lost.LogEndOffset, lost.RequiredOffset, lost.LogDir, string.Join(',', partition.Isr));
                replyTo.Tell(new ReplicaLogLostResult { Partition = partition.Clone() });
            }
            else
            {
                _log.Error("[Controller] {0} is offline: its only in-sync replica, node {1}, lost offsets [{2}, {3}) of its log {4} (unclean.leader.election.enable=false)", name, lost.NodeId, lost.LogEndOffset, lost.RequiredOffset, lost.LogDir);
                replyTo.Tell(new ReplicaLogLostResult
                {
                    ErrorCode = (int)ErrorCode.LeaderNotAvailable,
                    ErrorMessage = $"{name} has no in-sync replica with offsets [{lost.LogEndOffset}, {lost.RequiredOffset})",
                    Partition = partition.Clone(),
                });
            }
        });
    }
}
