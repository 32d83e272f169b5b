using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Logs;

/// <summary>
/// A partition log kept on a node that the metadata no longer places there: its topic (same topic id, same name) is in
/// the snapshot, the partition is listed, and the node is not among its <see cref="Replicas"/> (during a reassignment the
/// replicas are target + old, so a replica being moved away is not stray until the reassignment completes).
/// A snapshot without the topic proves nothing (the topic was deleted, which has its own path, or the snapshot is
/// incomplete), so a log of a topic id the snapshot does not hold is never stray.
/// </summary>
internal sealed record StrayLog(LogDirectoryName Log, IReadOnlyList<int> Replicas)
{
    public static IEnumerable<StrayLog> In(MetadataSnapshot snapshot, int nodeId, IEnumerable<LogDirectoryName> logs)
    {
        var topics = new Dictionary<string, TopicState>(StringComparer.Ordinal);
        foreach (var topic in snapshot.Topics)
        {
            topics.TryAdd(topic.TopicId, topic);
        }

        foreach (var log in logs)
        {
            if (!topics.TryGetValue(log.TopicId, out var topic) || !string.Equals(topic.Name, log.Topic, StringComparison.Ordinal))
            {
                continue;
            }

            var partition = topic.Partitions.FirstOrDefault(p => p.Partition == log.Partition);
            if (partition is null || partition.Replicas.Count == 0 || partition.Replicas.Contains(nodeId) || partition.TargetReplicas.Contains(nodeId))
            {
                continue;
            }

            yield return new StrayLog(log, [.. partition.Replicas]);
        }
    }
}
