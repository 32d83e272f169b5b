using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Logs;

/// <summary>
/// A partition log kept on a node that the metadata no longer places there, for one of two reasons:
/// <list type="bullet">
/// <item>its topic was deleted (<see cref="TopicDeleted"/>): the snapshot lists the topic id among its tombstones
/// (<c>deleted_topic_ids</c>) and does not hold a topic of that id;</item>
/// <item>its replica moved away: its topic (same topic id, same name) is in the snapshot, the partition is listed, and
/// the node is not among its <see cref="Replicas"/> (during a reassignment the replicas are target + old, so a replica
/// being moved away is not stray until the reassignment completes).</item>
/// </list>
/// A topic id the snapshot neither holds nor lists as deleted proves nothing (the snapshot is incomplete, or the
/// tombstone was forgotten long ago), so a log of such a topic id is never stray.
/// </summary>
internal sealed record StrayLog(LogDirectoryName Log, IReadOnlyList<int> Replicas, bool TopicDeleted)
{
    public static IEnumerable<StrayLog> In(MetadataSnapshot snapshot, int nodeId, IEnumerable<LogDirectoryName> logs)
    {
        var topics = new Dictionary<string, TopicState>(StringComparer.Ordinal);
        foreach (var topic in snapshot.Topics)
        {
            topics.TryAdd(topic.TopicId, topic);
        }

        var deleted = new HashSet<string>(snapshot.DeletedTopicIds, StringComparer.Ordinal);
        foreach (var log in logs)
        {
            if (!topics.TryGetValue(log.TopicId, out var topic))
            {
                if (deleted.Contains(log.TopicId))
                {
                    yield return new StrayLog(log, [], TopicDeleted: true);
                }

                continue;
            }

            if (!string.Equals(topic.Name, log.Topic, StringComparison.Ordinal))
            {
                continue;
            }

            var partition = topic.Partitions.FirstOrDefault(p => p.Partition == log.Partition);
            if (partition is null || partition.Replicas.Count == 0 || partition.Replicas.Contains(nodeId) || partition.TargetReplicas.Contains(nodeId))
            {
                continue;
            }

            yield return new StrayLog(log, [.. partition.Replicas], TopicDeleted: false);
        }
    }

    /// <summary>Why <paramref name="nodeId"/> deletes the log, for its log line.</summary>
    public string Reason(int nodeId) => TopicDeleted
        ? $"topic {Log.Topic} (topic id {Log.TopicId}) was deleted"
        : $"node {nodeId} is not among the replicas [{string.Join(',', Replicas)}] of {Log.Topic}-{Log.Partition} (topic id {Log.TopicId})";
}
