using Akka.Actor;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Controller;

/// <summary>
/// Kafka's ElectLeaders with election type PREFERRED: the controller decides per partition whether the preferred replica
/// (the first) can lead. The move itself is the partition placement's (<see cref="Partition.InSyncReplicaAllocationStrategy"/>,
/// Kafka's auto leader rebalance), which hands a partition back to its preferred replica whenever that is alive and in
/// sync; the node endpoint waits for the new leaders to show in the metadata. UNCLEAN elections are refused: an out-of-sync
/// replica leads only through <c>unclean.leader.election.enable=true</c> when no in-sync replica is left.
/// </summary>
public sealed partial class ClusterController
{
    public const int PreferredElection = 0;
    public const int UncleanElection = 1;

    private void HandleElectLeaders(ElectLeadersRequest request)
    {
        var response = new ElectLeadersResponse();
        var requested = request.Topics.Count == 0
            ? _topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).SelectMany(t => t.Partitions.Select(p => (t.Name, p.Partition)))
            : request.Topics.SelectMany(t => t.Partitions.Select(p => (Name: t.Topic, Partition: p))).Distinct();
        if (request.ElectionType != PreferredElection)
        {
            var message = request.ElectionType == UncleanElection
                ? "UNCLEAN leader elections on request are not supported: set unclean.leader.election.enable=true on the topic, an out-of-sync replica then leads when no in-sync replica is left"
                : $"Unknown election type {request.ElectionType} (0: PREFERRED, 1: UNCLEAN)";
            response.ErrorCode = (int)ErrorCode.InvalidRequest;
            response.ErrorMessage = message;
            if (request.Topics.Count > 0)
            {
                response.Partitions.AddRange(requested.Select(r => new ElectLeadersPartitionResult { Topic = r.Name, Partition = r.Partition, ErrorCode = (int)ErrorCode.InvalidRequest, ErrorMessage = message }));
            }

            Sender.Tell(response);
            return;
        }

        var live = LiveNodeIds;
        foreach (var (name, number) in requested)
        {
            var result = new ElectLeadersPartitionResult { Topic = name, Partition = number };
            response.Partitions.Add(result);
            var partition = _topics.TryGetValue(name, out var topic) ? topic.Partitions.FirstOrDefault(p => p.Partition == number) : null;
            if (partition is null)
            {
                result.ErrorCode = (int)ErrorCode.UnknownTopicOrPartition;
                result.ErrorMessage = $"Unknown partition {name}-{number}";
                continue;
            }

            var preferred = partition.Replicas[0];
            if (partition.LeaderId == preferred)
            {
                result.ErrorCode = (int)ErrorCode.ElectionNotNeeded;
                result.ErrorMessage = $"The preferred replica {preferred} already leads {name}-{number}";
            }
            else if (!live.Contains(preferred) || !partition.Isr.Contains(preferred))
            {
                result.ErrorCode = (int)ErrorCode.PreferredLeaderNotAvailable;
                result.ErrorMessage = $"The preferred replica {preferred} of {name}-{number} is {(live.Contains(preferred) ? "not in the ISR [" + string.Join(',', partition.Isr) + "]" : "not a live node")}";
            }
        }

        Sender.Tell(response);
    }
}
