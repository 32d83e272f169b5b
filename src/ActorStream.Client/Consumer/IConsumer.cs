namespace ActorStream.Client.Consumer;

/// <summary>
/// A Kafka-style consumer over assigned partitions, or a consumer group's partitions with Subscribe. Not thread-safe: use one
/// consumer from one thread (or one async flow) at a time, as with Kafka.
/// </summary>
public interface IConsumer<TKey, TValue> : IAsyncDisposable
{
    IReadOnlyCollection<TopicPartition> Assignment { get; }

    void Assign(IEnumerable<TopicPartition> partitions);

    void Unassign();

    /// <summary>Joins the consumer group <c>group.id</c> for these topics.</summary>
    void Subscribe(IEnumerable<string> topics, IConsumerRebalanceListener? listener = null);

    /// <summary>Commits every assigned partition's position to the group.</summary>
    void Commit();

    Task CommitAsync(CancellationToken cancellationToken = default);

    void Commit(IReadOnlyDictionary<TopicPartition, long> offsets);

    Task CommitAsync(IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken cancellationToken = default);

    /// <summary>Commits (with auto-commit on), leaves the group and stops.</summary>
    void Close();

    void Seek(TopicPartition partition, long offset);

    void SeekToBeginning(IEnumerable<TopicPartition> partitions);

    void SeekToEnd(IEnumerable<TopicPartition> partitions);

    /// <summary>The offset of the next record to return (resolving auto.offset.reset when there is none yet).</summary>
    long Position(TopicPartition partition);

    Task<long> PositionAsync(TopicPartition partition, CancellationToken cancellationToken = default);

    /// <summary>Returns up to <c>max.poll.records</c> records, waiting up to <paramref name="timeout"/> when none are buffered.</summary>
    Task<IReadOnlyList<ConsumeResult<TKey, TValue>>> PollAsync(TimeSpan timeout, CancellationToken cancellationToken = default);

    IReadOnlyList<ConsumeResult<TKey, TValue>> Poll(TimeSpan timeout);

    /// <summary>Every record, polling until cancelled.</summary>
    IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAllAsync(CancellationToken cancellationToken = default);
}
