using System.Globalization;

namespace ActorStream.Kafka.Generator;

/// <summary>A version range of Kafka's schema language: "3", "0-11", "9+", "none".</summary>
internal readonly record struct Versions(short Lowest, short Highest)
{
    public static readonly Versions None = new(1, 0);

    public bool IsEmpty => Lowest > Highest;

    public static Versions Parse(string? text, Versions ifMissing)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return ifMissing;
        }

        text = text.Trim();
        if (text == "none")
        {
            return None;
        }

        if (text.EndsWith('+'))
        {
            return new Versions(short.Parse(text[..^1], CultureInfo.InvariantCulture), short.MaxValue);
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        return dash < 0
            ? new Versions(short.Parse(text, CultureInfo.InvariantCulture), short.Parse(text, CultureInfo.InvariantCulture))
            : new Versions(short.Parse(text[..dash], CultureInfo.InvariantCulture), short.Parse(text[(dash + 1)..], CultureInfo.InvariantCulture));
    }

    public Versions Intersect(Versions other) =>
        new(Math.Max(Lowest, other.Lowest), Math.Min(Highest, other.Highest));

    public bool Contains(Versions other) => other.IsEmpty || (Lowest <= other.Lowest && other.Highest <= Highest);

    /// <summary>A C# condition on <c>version</c> that holds inside this range, assuming the version is within <paramref name="valid"/>.</summary>
    public string Condition(Versions valid)
    {
        var range = Intersect(valid);
        if (range.IsEmpty)
        {
            return "false";
        }

        var low = range.Lowest > valid.Lowest ? $"version >= {range.Lowest}" : null;
        var high = range.Highest < valid.Highest ? $"version <= {range.Highest}" : null;
        return (low, high) switch
        {
            (null, null) => "true",
            (not null, null) => low,
            (null, not null) => high,
            _ => $"{low} && {high}",
        };
    }
}
