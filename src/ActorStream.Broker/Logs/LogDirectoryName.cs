using System.Globalization;

namespace ActorStream.Broker.Logs;

/// <summary>
/// The name of one partition's log directory under <c>&lt;data&gt;/logs</c>: <c>&lt;topic&gt;-&lt;partition&gt;-&lt;topic id&gt;</c>.
/// Topic names may contain '-', so a name is read from its end: the topic id is the last '-'-separated part, the
/// partition the one before it, and the topic everything before that. Only names this type writes parse (a
/// round trip), so <c>orders-01-…</c> or a directory of anything else is never taken for a partition log.
/// </summary>
internal readonly record struct LogDirectoryName(string Topic, int Partition, string TopicId)
{
    public override string ToString() => $"{Topic}-{Partition.ToString(CultureInfo.InvariantCulture)}-{TopicId}";

    public static bool TryParse(string name, out LogDirectoryName parsed)
    {
        parsed = default;
        var topicIdSeparator = name.LastIndexOf('-');
        if (topicIdSeparator <= 0 || topicIdSeparator == name.Length - 1)
        {
            return false;
        }

        var partitionSeparator = name.LastIndexOf('-', topicIdSeparator - 1);
        if (partitionSeparator <= 0)
        {
            return false;
        }

        var partitionText = name.AsSpan(partitionSeparator + 1, topicIdSeparator - partitionSeparator - 1);
        if (!int.TryParse(partitionText, NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
        {
            return false;
        }

        var candidate = new LogDirectoryName(name[..partitionSeparator], partition, name[(topicIdSeparator + 1)..]);
        if (!string.Equals(candidate.ToString(), name, StringComparison.Ordinal))
        {
            return false;
        }

        parsed = candidate;
        return true;
    }
}
