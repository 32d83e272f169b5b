namespace ActorStream.Process.Tests.Support;

/// <summary>One service of a normalized <c>docker-compose config</c> output (see <see cref="ComposeConfig"/>).</summary>
public sealed class ComposeService
{
    private readonly List<string> _lines;

    internal ComposeService(string name, List<string> lines)
    {
        Name = name;
        _lines = lines;
    }

    public string Name { get; }

    /// <summary>The block-sequence items directly under a key, e.g. <c>command</c> or the <c>test</c> of <c>healthcheck</c>.</summary>
    public IReadOnlyList<string> ListItems(string key)
    {
        var section = ComposeConfig.Section(_lines, key);
        if (section.Count == 0)
        {
            return [];
        }

        var indent = section.Min(ComposeConfig.Indent);
        return section.Where(l => l.TrimStart().StartsWith("- ", StringComparison.Ordinal) && ComposeConfig.Indent(l) <= indent + 2)
            .Select(l => ComposeConfig.Unquote(l.TrimStart()[2..]))
            .ToList();
    }

    /// <summary>The scalar at a key path, e.g. <c>depends_on</c>, <c>postgres</c>, <c>condition</c>; empty when absent.</summary>
    public string Scalar(params string[] path)
    {
        IReadOnlyList<string> lines = _lines;
        foreach (var key in path[..^1])
        {
            lines = ComposeConfig.Section(lines, key);
        }

        var prefix = path[^1] + ": ";
        var line = lines.Count == 0 ? null : lines.FirstOrDefault(l => ComposeConfig.Indent(l) == lines.Min(ComposeConfig.Indent) && l.Trim().StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? "" : ComposeConfig.Unquote(line.Trim()[prefix.Length..]);
    }

    /// <summary>The <c>environment</c> map (both Compose tools print it as <c>KEY: value</c> lines); empty when absent.</summary>
    public IReadOnlyDictionary<string, string> Environment()
    {
        var section = ComposeConfig.Section(_lines, "environment");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (section.Count == 0)
        {
            return environment;
        }

        var indent = section.Min(ComposeConfig.Indent);
        foreach (var line in section.Where(l => ComposeConfig.Indent(l) == indent))
        {
            var trimmed = line.Trim();
            var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                environment[ComposeConfig.Unquote(trimmed[..colon])] = ComposeConfig.Unquote(trimmed[(colon + 1)..]);
            }
        }

        return environment;
    }

    /// <summary>Published host port to container port, from the short ("8080:80") or long (published/target) syntax.</summary>
    public IReadOnlyDictionary<string, string> PublishedPorts()
    {
        var ports = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in Items("ports"))
        {
            if (item.Count == 1 && !item[0].Contains(": ", StringComparison.Ordinal))
            {
                var parts = ComposeConfig.Unquote(item[0]).Split(':');
                if (parts.Length >= 2)
                {
                    ports[parts[^2]] = parts[^1];
                }

                continue;
            }

            var published = Value(item, "published");
            var target = Value(item, "target");
            if (published is not null && target is not null)
            {
                ports[published] = target;
            }
        }

        return ports;
    }

    /// <summary>Whether the named volume <paramref name="source"/> is mounted at <paramref name="target"/> (short or long syntax).</summary>
    public bool MountsVolume(string source, string target) =>
        Items("volumes").Any(item => item.Count == 1 && !item[0].Contains(": ", StringComparison.Ordinal)
            ? ComposeConfig.Unquote(item[0]).Split(':') is [var s, var t, ..] && s == source && t == target
            : Value(item, "source") == source && Value(item, "target") == target);

    public override string ToString() => Name + ":\n" + string.Join("\n", _lines);

    /// <summary>The items of a block sequence, each as its trimmed "key: value" lines (the "- " marker removed).</summary>
    private List<List<string>> Items(string key)
    {
        var items = new List<List<string>>();
        foreach (var line in ComposeConfig.Section(_lines, key))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("- ", StringComparison.Ordinal))
            {
                items.Add([trimmed[2..].Trim()]);
            }
            else if (items.Count > 0)
            {
                items[^1].Add(trimmed);
            }
        }

        return items;
    }

    private static string? Value(List<string> item, string key) =>
        item.Where(l => l.StartsWith(key + ": ", StringComparison.Ordinal)).Select(l => ComposeConfig.Unquote(l[(key.Length + 2)..])).FirstOrDefault();
}
