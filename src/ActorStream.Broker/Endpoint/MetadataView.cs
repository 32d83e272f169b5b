using ActorStream.Broker.Partition;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Endpoint;

/// <summary>An endpoint's read-only copy of the controller's metadata, indexed for routing.</summary>
public sealed class MetadataView
{
    public static readonly MetadataView Empty = new(new MetadataSnapshot { Version = -1 });

    private readonly Dictionary<string, TopicState> _topics;

    public MetadataView(MetadataSnapshot snapshot)
    {
        Snapshot = snapshot;
        _topics = snapshot.Topics.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public MetadataSnapshot Snapshot { get; }

    public long Version => Snapshot.Version;

    public bool HasNode(int nodeId) => Snapshot.Brokers.Any(b => b.NodeId == nodeId);

    public TopicState? Topic(string name) => _topics.GetValueOrDefault(name);

    /// <summary>
    /// The entity id of a partition led by <paramref name="nodeId"/> (or not yet led by anyone); NOT_LEADER_OR_FOLLOWER
    /// when another node leads it (the client refreshes metadata), UNKNOWN_TOPIC_OR_PARTITION when it does not exist.
    /// </summary>
    public (PartitionEntityId? Id, PartitionAssignment? Assignment, ErrorCode Error) ResolveLocal(string topic, int partition, int nodeId)
    {
        var resolved = Resolve(topic, partition);
        return resolved.Assignment is { LeaderId: >= 0 } assignment && assignment.LeaderId != nodeId
            ? (null, assignment, ErrorCode.NotLeaderOrFollower)
            : resolved;
    }

    /// <summary>The entity id of a partition, or an error when the topic or partition does not exist.</summary>
    public (PartitionEntityId? Id, PartitionAssignment? Assignment, ErrorCode Error) Resolve(string topic, int partition)
    {
        if (!_topics.TryGetValue(topic, out var state))
        {
            return (null, null, ErrorCode.UnknownTopicOrPartition);
        }

        if (partition < 0 || partition >= state.Partitions.Count)
        {
            return (null, null, ErrorCode.UnknownTopicOrPartition);
        }

        return (new PartitionEntityId(state.TopicId, partition), state.Partitions[partition], ErrorCode.None);
    }

    public MetadataResponse ToResponse(IEnumerable<string>? topics)
    {
        var response = new MetadataResponse { ClusterId = Snapshot.ClusterId, ControllerId = Snapshot.ControllerId };
        response.Brokers.AddRange(Snapshot.Brokers);
        var names = topics?.ToList();
        var selected = names is null ? Snapshot.Topics.Select(t => t.Name) : names;
        foreach (var name in selected)
        {
            if (!_topics.TryGetValue(name, out var topic))
            {
                response.Topics.Add(new TopicMetadata { Name = name, ErrorCode = (int)ErrorCode.UnknownTopicOrPartition, ErrorMessage = $"Unknown topic '{name}'" });
                continue;
            }

            var metadata = new TopicMetadata { Name = topic.Name, TopicId = topic.TopicId };
            metadata.Configs.Add(topic.Configs);
            foreach (var p in topic.Partitions)
            {
                var partition = new PartitionMetadata
                {
                    Partition = p.Partition,
                    LeaderId = p.LeaderId,
                    LeaderEpoch = p.LeaderEpoch,
                    ErrorCode = p.LeaderId < 0 ? (int)ErrorCode.LeaderNotAvailable : 0,
                };
                partition.Replicas.AddRange(p.Replicas);
                partition.Isr.AddRange(p.Isr);
                metadata.Partitions.Add(partition);
            }

            response.Topics.Add(metadata);
        }

        return response;
    }
}
