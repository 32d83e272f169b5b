namespace ActorStream.Broker.Group;

/// <summary>Snapshots: the journal is bounded by saving every group's state and replaying only the events after it.</summary>
public sealed partial class GroupCoordinatorShard
{
    /// <summary>
    /// Replaces every group with <paramref name="groups"/> (a recovered snapshot). Soft state (sessions, topic partition counts)
    /// is cleared: call <see cref="RestartSessions"/> once recovery is complete, and feed the topics again.
    /// </summary>
    public void Restore(IEnumerable<ConsumerGroup> groups)
    {
        _groups.Clear();
        _lastHeartbeatMs.Clear();
        _pendingMembers.Clear();
        _initialDelays.Clear();
        foreach (var group in groups)
        {
            _groups[group.GroupId] = group;
        }
    }

    /// <summary>
    /// After recovery the topics' partition counts (soft state) are unknown, so the first <see cref="TopicMetadataChanged"/> of
    /// every topic would look like a change and rebalance every group. Seeding each topic with the count the recovered
    /// assignments imply (every assignor assigns every partition of a subscribed topic) makes the first metadata rebalance only
    /// the groups whose topics really changed while the coordinator was down.
    /// </summary>
    public void SeedTopicPartitionsFromAssignments()
    {
        foreach (var member in _groups.Values.SelectMany(g => g.Members.Values))
        {
            foreach (var partition in member.Assignment.Concat(member.PendingRevocation))
            {
                _topicPartitions[partition.Topic] = Math.Max(_topicPartitions.GetValueOrDefault(partition.Topic), partition.Partition + 1);
            }
        }
    }
}
