namespace ActorStream.Process.Tests.Support;

/// <summary>
/// The services and named volumes of a normalized <c>docker-compose config</c> output, read line by line (block-style
/// YAML as both the python 1.29 tool and Compose v2 print it; no YAML package).
/// </summary>
public sealed class ComposeConfig
{
    private ComposeConfig(IReadOnlyDictionary<string, ComposeService> services, IReadOnlyList<string> volumes)
    {
        Services = services;
        Volumes = volumes;
    }

    public IReadOnlyDictionary<string, ComposeService> Services { get; }

    /// <summary>Top-level named volumes.</summary>
    public IReadOnlyList<string> Volumes { get; }

    public IEnumerable<string> Keys => Services.Keys;

    public IEnumerable<ComposeService> Values => Services.Values;

    public ComposeService this[string name] => Services.TryGetValue(name, out var service)
        ? service
        : throw new KeyNotFoundException($"no service '{name}' in the compose config (services: {string.Join(", ", Services.Keys)})");

    public static ComposeConfig Parse(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n').Where(l => l.Trim().Length > 0).ToList();
        var services = Children(Section(lines, "services")).ToDictionary(c => c.Key, c => new ComposeService(c.Key, c.Lines), StringComparer.Ordinal);
        var volumes = Children(Section(lines, "volumes")).Select(c => c.Key).ToList();
        return new ComposeConfig(services, volumes);
    }

    internal static int Indent(string line) => line.Length - line.TrimStart(' ').Length;

    internal static string Unquote(string value)
    {
        value = value.Trim();
        return value.Length >= 2 && (value[0] == '\'' || value[0] == '"') && value[^1] == value[0] ? value[1..^1] : value;
    }

    /// <summary>The lines below the key <paramref name="key"/> at the shallowest indent of <paramref name="lines"/>.</summary>
    internal static List<string> Section(IReadOnlyList<string> lines, string key)
    {
        if (lines.Count == 0)
        {
            return [];
        }

        var indent = lines.Min(Indent);
        var start = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            if (Indent(lines[i]) == indent && (lines[i].Trim() == key + ":" || lines[i].Trim().StartsWith(key + ": ", StringComparison.Ordinal)))
            {
                start = i;
                break;
            }
        }

        var section = new List<string>();
        for (var i = start + 1; start >= 0 && i < lines.Count; i++)
        {
            // Block sequences may sit at the parent key's indent ("key:\n- item"), so "- " lines at that indent belong too.
            var line = lines[i];
            if (Indent(line) < indent || (Indent(line) == indent && !line.TrimStart().StartsWith("- ", StringComparison.Ordinal)))
            {
                break;
            }

            section.Add(line);
        }

        return section;
    }

    private static IEnumerable<(string Key, List<string> Lines)> Children(List<string> section)
    {
        if (section.Count == 0)
        {
            yield break;
        }

        var indent = section.Min(Indent);
        for (var i = 0; i < section.Count; i++)
        {
            if (Indent(section[i]) != indent)
            {
                continue;
            }

            var key = section[i].Trim();
            key = key[..key.IndexOf(':', StringComparison.Ordinal)];
            var body = section.Skip(i + 1).TakeWhile(l => Indent(l) > indent).ToList();
            yield return (Unquote(key), body);
        }
    }
}
