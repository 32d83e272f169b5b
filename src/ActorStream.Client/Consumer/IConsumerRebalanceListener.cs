namespace ActorStream.Client.Consumer;

/// <summary>Kafka's ConsumerRebalanceListener: called from Poll (and Close) on the consumer's thread.</summary>
public interface IConsumerRebalanceListener
{
    /// <summary>Partitions given to this consumer; positions come from committed offsets, else auto.offset.reset.</summary>
    void OnPartitionsAssigned(IReadOnlyCollection<TopicPartition> partitions);

    /// <summary>Partitions taken away in a rebalance (after the auto-commit, when enabled); commit here when committing by hand.</summary>
    void OnPartitionsRevoked(IReadOnlyCollection<TopicPartition> partitions);

    /// <summary>Partitions lost without a chance to commit (the membership expired); defaults to <see cref="OnPartitionsRevoked"/>.</summary>
    void OnPartitionsLost(IReadOnlyCollection<TopicPartition> partitions) => OnPartitionsRevoked(partitions);
}
