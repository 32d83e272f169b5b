using System.Globalization;

namespace ActorStream.Client.Admin;

/// <summary>A topic's partitions to act on: all of them (<see cref="Partitions"/> null) or the listed ones.</summary>
public sealed record TopicPartitionSelection(string Topic, IReadOnlyList<int>? Partitions = null)
{
    /// <summary>Kafka's <c>--topic</c> syntax: <c>topic</c> (every partition) or <c>topic:0,2</c>.</summary>
    public static TopicPartitionSelection Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        // Topic names never contain ':' (only letters, digits, '.', '_' and '-'), so the first one starts the partitions.
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return new(text.Trim());
        }

        var topic = text[..colon].Trim();
        var partitions = new List<int>();
        foreach (var item in text[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
            {
                throw new FormatException($"'{text}' is not topic or topic:partition,partition... ('{item}' is not a partition number)");
            }

            partitions.Add(partition);
        }

        if (topic.Length == 0 || partitions.Count == 0)
        {
            throw new FormatException($"'{text}' is not topic or topic:partition,partition...");
        }

        return new(topic, partitions.Distinct().Order().ToList());
    }

    public override string ToString() => Partitions is null ? Topic : $"{Topic}:{string.Join(',', Partitions)}";
}
