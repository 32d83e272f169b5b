using System.Globalization;

namespace ActorStream.Broker.Partition;

/// <summary>
/// Entity id of a partition actor: <c>&lt;topic id&gt;-&lt;partition&gt;</c>. The topic id (a UUID) makes a
/// re-created topic a different entity with a different persistence id, so it never replays the old topic's state.
/// </summary>
public readonly record struct PartitionEntityId(string TopicId, int Partition)
{
    public override string ToString() => $"{TopicId}-{Partition.ToString(CultureInfo.InvariantCulture)}";

    public static PartitionEntityId Parse(string entityId)
    {
        var dash = entityId.LastIndexOf('-');
        if (dash <= 0 || !int.TryParse(entityId.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
        {
            throw new FormatException($"'{entityId}' is not a partition entity id (<topic id>-<partition>)");
        }

        return new PartitionEntityId(entityId[..dash], partition);
    }
}
