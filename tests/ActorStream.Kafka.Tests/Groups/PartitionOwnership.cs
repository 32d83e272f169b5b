using Confluent.Kafka;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Which consumer holds each partition, kept from the consumers' own rebalance callbacks (assigned: acquired;
/// revoked or lost: released) and shared by every member of a group. A partition acquired while another member still
/// holds it is a violation: the group handed one partition to two consumers at once. Thread-safe (the callbacks run
/// on each consumer's own poll thread).
/// </summary>
public sealed class PartitionOwnership
{
    private readonly object _lock = new();
    private readonly Dictionary<TopicPartition, string> _owners = [];
    private readonly List<string> _violations = [];

    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_lock)
            {
                return [.. _violations];
            }
        }
    }

    public void Acquire(string member, IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
        {
            foreach (var partition in partitions)
            {
                if (_owners.TryGetValue(partition, out var owner) && owner != member)
                {
                    _violations.Add($"{member} was assigned {partition} while {owner} still held it");
                }

                _owners[partition] = member;
            }
        }
    }

    public void Release(string member, IEnumerable<TopicPartition> partitions)
    {
        lock (_lock)
        {
            foreach (var partition in partitions)
            {
                if (_owners.TryGetValue(partition, out var owner) && owner == member)
                {
                    _owners.Remove(partition);
                }
            }
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return string.Join(", ", _owners.OrderBy(o => o.Key.Partition.Value).Select(o => $"{o.Key.Partition.Value}:{o.Value}"));
        }
    }
}
