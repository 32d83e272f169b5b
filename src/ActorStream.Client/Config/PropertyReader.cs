using System.Globalization;

namespace ActorStream.Client.Config;

/// <summary>
/// Reads Kafka-named properties once each, so that whatever is left at the end is an unknown name. Every error is an
/// <see cref="ArgumentException"/> whose parameter name is the property name.
/// </summary>
internal sealed class PropertyReader
{
    private readonly IDictionary<string, string> _properties;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public PropertyReader(IDictionary<string, string> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        _properties = properties;
    }

    public string String(string key, string fallback) => TryGet(key, out var value) ? value : fallback;

    public string? StringOrNull(string key) => TryGet(key, out var value) ? value : null;

    public int Int(string key, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!TryGet(key, out var text))
        {
            return fallback;
        }

        if (!int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new ArgumentException($"Invalid value '{text}' for configuration {key}: expected an integer", key);
        }

        return ConfigValidation.InRange(key, value, min, max);
    }

    public long Long(string key, long fallback, long min = long.MinValue)
    {
        if (!TryGet(key, out var text))
        {
            return fallback;
        }

        if (!long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new ArgumentException($"Invalid value '{text}' for configuration {key}: expected an integer", key);
        }

        return value < min
            ? throw new ArgumentException($"Invalid value {value} for configuration {key}: must be at least {min}", key)
            : value;
    }

    public bool? BoolOrNull(string key)
    {
        if (!TryGet(key, out var text))
        {
            return null;
        }

        return text.Trim().ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new ArgumentException($"Invalid value '{text}' for configuration {key}: expected true or false", key),
        };
    }

    public T Parse<T>(string key, T fallback, Func<string, T> parse)
    {
        if (!TryGet(key, out var text))
        {
            return fallback;
        }

        try
        {
            return parse(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new ArgumentException($"Invalid value '{text}' for configuration {key}: {e.Message}", key, e);
        }
    }

    /// <summary>Throws for the first property that was neither read nor listed in <paramref name="ignored"/>.</summary>
    public void ThrowOnUnknown(IReadOnlySet<string> ignored)
    {
        foreach (var key in _properties.Keys)
        {
            if (!_read.Contains(key) && !ignored.Contains(key))
            {
                throw new ArgumentException($"Unknown configuration property '{key}'", key);
            }
        }
    }

    private bool TryGet(string key, out string value)
    {
        _read.Add(key);
        if (_properties.TryGetValue(key, out var found) && found is not null)
        {
            value = found;
            return true;
        }

        value = "";
        return false;
    }
}
