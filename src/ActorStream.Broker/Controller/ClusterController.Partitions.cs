using Akka.Actor;
using Akka.Event;
using ActorStream.Broker.Partition;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Controller;

/// <summary>Kafka's CreatePartitions: a topic grows (never shrinks); the new partitions' replicas are spread like a new topic's.</summary>
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
            if (replicationFactor > live.Count)
            {
                results.Add(new TopicResult { Name = wanted.Name, ErrorCode = (int)ErrorCode.InvalidReplicationFactor, ErrorMessage = $"Replication factor {replicationFactor} is larger than the {live.Count} live nodes" });
                continue;
            }

            var assignment = ReplicaAssignment.Assign(live, wanted.Count, replicationFactor, Random.Shared.Next(live.Count));
            var added = new PartitionsAdded { TopicId = topic.TopicId };
            for (var p = current; p < wanted.Count; p++)
            {
                var partition = new PartitionAssignment { Partition = p, LeaderId = -1, LeaderEpoch = -1 };
                partition.Replicas.AddRange(assignment[p]);
                partition.Isr.AddRange(assignment[p]);
                added.Partitions.Add(partition);
            }

            events.Add(added);
            results.Add(new TopicResult { Name = topic.Name, TopicId = topic.TopicId });
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
