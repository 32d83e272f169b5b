namespace ActorStream.Client.Producer;

/// <summary>Where a record was stored. <see cref="Offset"/> is -1 with <c>acks=0</c> (the broker does not answer).</summary>
public sealed record RecordMetadata(string Topic, int Partition, long Offset, long Timestamp)
{
    public TopicPartition TopicPartition => new(Topic, Partition);
}
