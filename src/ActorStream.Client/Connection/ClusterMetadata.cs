using System.Collections.Immutable;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;

namespace ActorStream.Client.Connection;

/// <summary>
/// An immutable snapshot of what the client knows about the cluster: nodes by id and, per topic, the leader of each
/// partition. Swapped atomically on refresh, so any thread may read it.
/// </summary>
internal sealed class ClusterMetadata
{
    public static readonly ClusterMetadata Empty = new(ImmutableDictionary<int, BrokerNode>.Empty, ImmutableDictionary<string, TopicMetadata>.Empty, "", DateTimeOffset.MinValue);

    public ClusterMetadata(ImmutableDictionary<int, BrokerNode> nodes, ImmutableDictionary<string, TopicMetadata> topics, string clusterId, DateTimeOffset updatedAt)
    {
        Nodes = nodes;
        Topics = topics;
        ClusterId = clusterId;
        UpdatedAt = updatedAt;
    }

    public ImmutableDictionary<int, BrokerNode> Nodes { get; }

    /// <summary>Topics that exist (topics answered with an error are left out).</summary>
    public ImmutableDictionary<string, TopicMetadata> Topics { get; }

    public string ClusterId { get; }

    public DateTimeOffset UpdatedAt { get; }

    public int? PartitionCount(string topic) => Topics.TryGetValue(topic, out var t) ? t.Partitions.Count : null;

    /// <summary>The leader node of a partition, or -1 when unknown or leaderless.</summary>
    public int LeaderOf(TopicPartition tp)
    {
        if (!Topics.TryGetValue(tp.Topic, out var topic))
        {
            return -1;
        }

        foreach (var p in topic.Partitions)
        {
            if (p.Partition == tp.Partition)
            {
                return p.ErrorCode == 0 && Nodes.ContainsKey(p.LeaderId) ? p.LeaderId : -1;
            }
        }

        return -1;
    }

    /// <summary>Merges a response: nodes are replaced, the answered topics replaced or (when unknown) removed.</summary>
    public ClusterMetadata Merge(MetadataResponse response, bool allTopics, DateTimeOffset now)
    {
        var nodes = response.Brokers.ToImmutableDictionary(b => b.NodeId);
        var topics = allTopics ? ImmutableDictionary<string, TopicMetadata>.Empty : Topics;
        foreach (var topic in response.Topics)
        {
            topics = (ErrorCode)topic.ErrorCode == ErrorCode.None ? topics.SetItem(topic.Name, topic) : topics.Remove(topic.Name);
        }

        return new ClusterMetadata(nodes, topics, response.ClusterId, now);
    }
}
