namespace ActorStream.Client.Streams;

/// <summary>The position after one consumed record, committable through the consumer that read it.</summary>
public sealed class CommittableOffset : ICommittable
{
    internal CommittableOffset(PartitionOffset partitionOffset, ICommitter committer)
    {
        PartitionOffset = partitionOffset;
        Committer = committer;
    }

    public PartitionOffset PartitionOffset { get; }

    public long BatchSize => 1;

    internal ICommitter Committer { get; }

    public Task CommitAsync(CancellationToken cancellationToken = default) =>
        Committer.CommitAsync(new Dictionary<TopicPartition, long> { [PartitionOffset.TopicPartition] = PartitionOffset.Offset }, cancellationToken);

    public override string ToString() => $"CommittableOffset({PartitionOffset})";
}
