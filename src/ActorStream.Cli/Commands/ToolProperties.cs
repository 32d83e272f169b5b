namespace ActorStream.Cli.Commands;

/// <summary>
/// <c>--property</c> of the console tools: Kafka's formatter (consume) and reader (produce) properties. Unlike Kafka's
/// tools, an unknown name is refused rather than ignored, so a typo such as <c>print.keys=true</c> is noticed.
/// </summary>
internal sealed class ToolProperties
{
    private readonly Dictionary<string, string> _values;

    private ToolProperties(Dictionary<string, string> values) => _values = values;

    public static ToolProperties Parse(IEnumerable<string>? pairs, IReadOnlyList<string> known)
    {
        var values = CommonOptions.ParseKeyValues(pairs, "--property");
        foreach (var name in values.Keys)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                throw new ArgumentException($"--property: unknown property '{name}'; known: {string.Join(", ", known)}");
            }
        }

        return new ToolProperties(values);
    }

    public string String(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public bool Flag(string name, bool fallback = false)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return bool.TryParse(text, out var value) ? value : throw new ArgumentException($"--property {name}={text}: expected true or false");
    }
}
