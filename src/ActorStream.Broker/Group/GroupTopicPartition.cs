namespace ActorStream.Broker.Group;

/// <summary>
/// A topic partition as the group coordinator sees it: by topic name, like Kafka's consumer protocol (assignments and
/// committed offsets are keyed by name, not by topic id). The Broker does not reference the client's TopicPartition.
/// </summary>
public readonly record struct GroupTopicPartition(string Topic, int Partition)
{
    /// <summary>Orders by topic (ordinal), then partition: the order every assignor and every reply uses.</summary>
    public static IComparer<GroupTopicPartition> Comparer { get; } = Comparer<GroupTopicPartition>.Create(static (a, b) =>
    {
        var byTopic = string.CompareOrdinal(a.Topic, b.Topic);
        return byTopic != 0 ? byTopic : a.Partition.CompareTo(b.Partition);
    });

    public override string ToString() => $"{Topic}-{Partition}";
}
