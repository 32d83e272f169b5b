namespace ActorStream.Client.Streams;

/// <summary>Commits offsets through the consumer that read them (the committable source's consumer session).</summary>
internal interface ICommitter
{
    /// <summary>Commits <paramref name="offsets"/> (the offset of the next record to read per partition).</summary>
    Task CommitAsync(IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken cancellationToken);
}
