using Akka.Actor;
using Akka.Event;
using ActorStream.Broker.Partition;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Controller;

/// <summary>
/// Kafka's CreatePartitions: a topic grows (never shrinks); the new partitions' replicas are spread like a new topic's, or
/// follow a manual assignment. With validate_only nothing changes.
/// </summary>
public sealed partial class ClusterController
{
    private void Apply(PartitionsAdded e)
    {
        if (_topics.Values.FirstOrDefault(t => t.TopicId == e.TopicId) is { } topic)
        {
            topic.Partitions.AddRange(e.Partitions.Select(p => p.Clone()));
        }
    }

    private void HandleCreatePartitions(CreatePartitionsRequest request)
    {
        var results = new List<TopicResult>();
        var events = new List<object>();
        foreach (var wanted in request.Topics.DistinctBy(t => t.Name))
        {
            if (!_topics.TryGetValue(wanted.Name, out var topic))
            {
                results.Add(new TopicResult { Name = wanted.Name, ErrorCode = (int)ErrorCode.UnknownTopicOrPartition, ErrorMessage = $"Topic '{wanted.Name}' does not exist" });
                continue;
            }

            var current = topic.Partitions.Count;
            if (wanted.Count <= current)
            {
                results.Add(new TopicResult { Name = wanted.Name, ErrorCode = (int)ErrorCode.InvalidPartitions, ErrorMessage = $"Topic '{wanted.Name}' has {current} partitions: the new count must be larger (partitions are never removed)" });
                continue;
            }

            var replicationFactor = topic.Partitions.Count > 0 ? topic.Partitions[0].Replicas.Count : topic.ReplicationFactor;
            var live = LiveNodeIds;
            IReadOnlyList<int[]> assignment;
            if (wanted.Assignments.Count > 0)
            {
                // Kafka's rule: one assignment per new partition, each as many replicas as the topic's partitions have.
                var error = wanted.Assignments.Count != wanted.Count - current
                    ? $"{wanted.Assignments.Count} replica assignments for {wanted.Count - current} new partitions of '{wanted.Name}'"
                    : wanted.Assignments.Any(a => a.Replicas.Count != replicationFactor)
                        ? $"Every new partition of '{wanted.Name}' needs {replicationFactor} replicas (the topic's replication factor)"
                        : ValidateManualReplicas(wanted.Assignments.Select(a => a.Replicas));
                if (error is not null)
                {
                    results.Add(new TopicResult { Name = wanted.Name, ErrorCode = (int)ErrorCode.InvalidReplicaAssignment, ErrorMessage = error });
                    continue;
                }

                assignment = [.. Enumerable.Repeat(Array.Empty<int>(), current), .. wanted.Assignments.Select(a => a.Replicas.ToArray())];
            }
            else
            {
                if (replicationFactor > live.Count)
                {
                    results.Add(new TopicResult { Name = wanted.Name, ErrorCode = (int)ErrorCode.InvalidReplicationFactor, ErrorMessage = $"Replication factor {replicationFactor} is larger than the {live.Count} live nodes" });
                    continue;
                }

                assignment = ReplicaAssignment.Assign(live, wanted.Count, replicationFactor, Random.Shared.Next(live.Count));
            }

            var added = new PartitionsAdded { TopicId = topic.TopicId };
            for (var p = current; p < wanted.Count; p++)
            {
                var partition = new PartitionAssignment { Partition = p, LeaderId = -1, LeaderEpoch = -1 };
                partition.Replicas.AddRange(assignment[p]);
                partition.Isr.AddRange(assignment[p]);
                added.Partitions.Add(partition);
            }

            if (!request.ValidateOnly)
            {
                events.Add(added);
            }

            results.Add(new TopicResult { Name = topic.Name, TopicId = topic.TopicId, NumPartitions = wanted.Count, ReplicationFactor = replicationFactor });
        }

        var replyTo = Sender;
        PersistAllThen(events, () =>
        {
            foreach (var added in events.OfType<PartitionsAdded>())
            {
                _log.Info("[Controller] Topic {0} grew to {1} partitions", added.TopicId, added.Partitions[^1].Partition + 1);
                foreach (var partition in added.Partitions)
                {
                    _partitions.Tell(new Akka.Cluster.Sharding.ShardRegion.StartEntity(new PartitionEntityId(added.TopicId, partition.Partition).ToString()));
                }
            }

            var response = new CreatePartitionsResponse();
            response.Results.AddRange(results);
            replyTo.Tell(response);
        });
    }
}
