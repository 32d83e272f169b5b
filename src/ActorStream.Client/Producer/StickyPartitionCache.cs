using System.Collections.Concurrent;

namespace ActorStream.Client.Producer;

/// <summary>
/// Partition choice for records without a key (Kafka's sticky partitioner, KIP-480): keep filling one partition's
/// batch, and switch to another partition once that batch is closed (sent or full). Thread-safe; a race only
/// means two callers may pick different partitions, which is harmless.
/// </summary>
internal sealed class StickyPartitionCache
{
    private readonly ConcurrentDictionary<string, (int Partition, ProducerBatch? Batch)> _current = new(StringComparer.Ordinal);

    public int Partition(string topic, int partitionCount)
    {
        if (_current.TryGetValue(topic, out var current) && current.Partition < partitionCount && current.Batch is not { IsClosed: true })
        {
            return current.Partition;
        }

        var next = partitionCount == 1 ? 0 : Random.Shared.Next(partitionCount - 1);
        if (partitionCount > 1 && current.Batch is not null && current.Partition < partitionCount && next >= current.Partition)
        {
            next++; // never the partition just left
        }

        _current[topic] = (next, null);
        return next;
    }

    /// <summary>Remembers the batch a sticky record went into: the partition stays until that batch closes.</summary>
    /// <remarks>Written only when the batch changes: a dictionary write per record costs a lock and a node allocation.</remarks>
    public void OnAppended(string topic, int partition, ProducerBatch batch)
    {
        if (!_current.TryGetValue(topic, out var current) || current.Partition != partition || !ReferenceEquals(current.Batch, batch))
        {
            _current[topic] = (partition, batch);
        }
    }
}
