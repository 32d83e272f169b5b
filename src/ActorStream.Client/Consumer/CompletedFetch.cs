namespace ActorStream.Client.Consumer;

/// <summary>Decoded records of one partition from one fetch response, handed out over one or more polls.</summary>
internal sealed class CompletedFetch<TKey, TValue>(TopicPartition topicPartition, long fetchOffset, IReadOnlyList<ConsumeResult<TKey, TValue>> records, long nextFetchOffset)
{
    public TopicPartition TopicPartition { get; } = topicPartition;

    /// <summary>The position the fetch was made from: the data is stale if the position moved since.</summary>
    public long FetchOffset { get; } = fetchOffset;

    public IReadOnlyList<ConsumeResult<TKey, TValue>> Records { get; } = records;

    /// <summary>Where the next fetch starts once every record was handed out (after the last complete batch).</summary>
    public long NextFetchOffset { get; } = nextFetchOffset;

    public int Index { get; set; }

    public bool IsDrained => Index >= Records.Count;
}
