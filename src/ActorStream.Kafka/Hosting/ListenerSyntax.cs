using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;

namespace ActorStream.Kafka.Hosting;

/// <summary>
/// Kafka's <c>listeners</c> / <c>advertised.listeners</c> syntax: comma-separated <c>NAME://host:port</c> entries,
/// where the host may be empty (and an IPv6 address is written in brackets). Names are case-insensitive (upper-cased,
/// as Kafka's <c>ListenerName.normalised</c>) and unique.
/// </summary>
internal static partial class ListenerSyntax
{
    internal readonly record struct Entry(string Name, string Host, int Port);

    public static IReadOnlyList<Entry> Parse(string value, string key)
    {
        var entries = new List<Entry>();
        foreach (var raw in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var match = EntryPattern().Match(raw);
            if (!match.Success)
            {
                throw new ConfigurationException(
                    $"{key}: '{raw}' is not a listener (expected NAME://host:port, e.g. PLAINTEXT://0.0.0.0:9092 or EXTERNAL://:29092)");
            }

            var name = match.Groups["name"].Value.ToUpperInvariant();
            var host = match.Groups["v6"].Success ? match.Groups["v6"].Value : match.Groups["host"].Value;
            if (!int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            {
                throw new ConfigurationException($"{key}: '{raw}' has port {match.Groups["port"].Value}, not a TCP port (0-65535; 0: any free port)");
            }

            if (entries.Any(e => e.Name == name))
            {
                throw new ConfigurationException($"{key}: listener name {name} appears twice (each listener needs its own name)");
            }

            entries.Add(new Entry(name, host, port));
        }

        return entries;
    }

    [GeneratedRegex(@"^(?<name>[A-Za-z0-9_\-\.]+)://(?:\[(?<v6>[0-9A-Fa-f:\.%]*)\]|(?<host>[^:/\[\]\s]*)):(?<port>[0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex EntryPattern();
}
