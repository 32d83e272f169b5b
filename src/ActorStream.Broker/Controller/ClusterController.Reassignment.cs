using Akka.Actor;
using Akka.Event;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Controller;

/// <summary>
/// Replica reassignment, like Kafka's (KIP-455): the replica set first grows to target + old, so the new replicas follow
/// the leader and catch up; once every target replica is in the ISR the set becomes exactly the target (the ISR keeps
/// only target replicas). A leader outside the target loses its ISR place and the allocation strategy moves the
/// partition to an in-sync target replica. Removed replicas stop following, and each removed node deletes its copy
/// once its metadata shows the completed set (<see cref="Logs.LogManager.DeleteStrayLogs"/>; a leader's copy once it has
/// handed over, a node that was down with the first snapshot after it restarts).
/// </summary>
public sealed partial class ClusterController
{
    private void Apply(ReassignmentStarted e)
    {
        if (FindPartition(e.TopicId, e.Partition) is not { Partition: var partition })
        {
            return;
        }

        var old = partition.Replicas.ToList();
        partition.TargetReplicas.Clear();
        partition.TargetReplicas.AddRange(e.TargetReplicas);
        partition.Replicas.Clear();
        partition.Replicas.AddRange(e.TargetReplicas.Concat(old.Where(r => !e.TargetReplicas.Contains(r))));
        partition.AddingReplicas.Clear();
        partition.AddingReplicas.AddRange(e.TargetReplicas.Where(r => !old.Contains(r)));
        partition.PartitionEpoch++;
    }

    private void Apply(ReassignmentCompleted e)
    {
        if (FindPartition(e.TopicId, e.Partition) is not { Partition: var partition })
        {
            return;
        }

        var target = partition.TargetReplicas.ToList();
        var isr = partition.Isr.Where(target.Contains).ToList();
        partition.Replicas.Clear();
        partition.Replicas.AddRange(target);
        partition.Isr.Clear();
        partition.Isr.AddRange(isr.Count > 0 ? isr : target.Take(1));
        partition.TargetReplicas.Clear();
        partition.AddingReplicas.Clear();
        partition.PartitionEpoch++;
    }

    /// <summary>Kafka's ListPartitionReassignments: the reassignments still running, optionally only of the given partitions.</summary>
    private void HandleListPartitionReassignments(ListPartitionReassignmentsRequest request)
    {
        var wanted = request.Topics.Count == 0 ? null : request.Topics.GroupBy(t => t.Topic, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(t => t.Partitions).ToHashSet(), StringComparer.Ordinal);
        var response = new ListPartitionReassignmentsResponse();
        foreach (var topic in _topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            HashSet<int>? partitions = null;
            if (wanted is not null && !wanted.TryGetValue(topic.Name, out partitions))
            {
                continue;
            }

            foreach (var partition in topic.Partitions.Where(p => p.TargetReplicas.Count > 0 && (partitions is null || partitions.Count == 0 || partitions.Contains(p.Partition))))
            {
                var ongoing = new OngoingPartitionReassignment { Topic = topic.Name, Partition = partition.Partition };
                ongoing.Replicas.AddRange(partition.Replicas);
                ongoing.AddingReplicas.AddRange(partition.AddingReplicas);
                ongoing.RemovingReplicas.AddRange(partition.Replicas.Where(r => !partition.TargetReplicas.Contains(r)));
                response.Reassignments.Add(ongoing);
            }
        }

        Sender.Tell(response);
    }

    private void HandleReassignPartitions(ReassignPartitionsRequest request)
    {
        var results = new List<ReassignPartitionResult>();
        var events = new List<object>();
        var live = LiveNodeIds;
        foreach (var wanted in request.Partitions)
        {
            var result = new ReassignPartitionResult { Topic = wanted.Topic, Partition = wanted.Partition };
            results.Add(result);
            var partition = _topics.TryGetValue(wanted.Topic, out var topic) ? topic.Partitions.FirstOrDefault(p => p.Partition == wanted.Partition) : null;
            var notLive = wanted.Replicas.Where(r => !live.Contains(r)).ToList();
            string? error = partition is null ? $"Unknown partition {wanted.Topic}-{wanted.Partition}"
                : wanted.Replicas.Count == 0 || wanted.Replicas.Distinct().Count() != wanted.Replicas.Count ? "The target replicas must be a non-empty list of distinct node ids"
                : notLive.Count > 0 ? $"Nodes [{string.Join(',', notLive)}] are not live nodes [{string.Join(',', live)}]"
                : partition.TargetReplicas.Count > 0 ? $"{wanted.Topic}-{wanted.Partition} is already being reassigned to [{string.Join(',', partition.TargetReplicas)}]"
                : null;
            if (error is not null)
            {
                result.ErrorCode = (int)(partition is null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.InvalidReplicaAssignment);
                result.ErrorMessage = error;
                continue;
            }

            var started = new ReassignmentStarted { TopicId = topic!.TopicId, Partition = wanted.Partition };
            started.TargetReplicas.AddRange(wanted.Replicas);
            events.Add(started);
        }

        var replyTo = Sender;
        PersistAllThen(events, () =>
        {
            var response = new ReassignPartitionsResponse();
            response.Results.AddRange(results);
            replyTo.Tell(response);
            CompleteCaughtUpReassignments();
        });
    }

    /// <summary>Finishes every reassignment whose target replicas are all in the ISR (checked after every ISR change).</summary>
    private void CompleteCaughtUpReassignments()
    {
        var events = new List<object>();
        foreach (var topic in _topics.Values)
        {
            foreach (var partition in topic.Partitions.Where(p => p.TargetReplicas.Count > 0 && p.TargetReplicas.All(p.Isr.Contains)))
            {
                events.Add(new ReassignmentCompleted { TopicId = topic.TopicId, Partition = partition.Partition });
                _log.Info("[Controller] Reassignment of {0}-{1} to [{2}] complete", topic.Name, partition.Partition, string.Join(',', partition.TargetReplicas));
            }
        }

        if (events.Count > 0)
        {
            PersistAllThen(events, () => { });
        }
    }
}
