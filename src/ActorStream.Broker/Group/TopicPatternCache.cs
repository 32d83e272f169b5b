using System.Text.RegularExpressions;

namespace ActorStream.Broker.Group;

/// <summary>
/// Compiled topic patterns of regex subscriptions (KIP-848's <c>SubscribedTopicRegex</c>), one per pattern string. A pattern
/// is .NET regex syntax matched against the whole topic name (as Java's <c>Pattern.matches</c>: <c>a.*</c> matches
/// <c>abc</c>, <c>b</c> does not match <c>abc</c>).
/// <para>
/// Patterns come from clients and are matched inside the coordinator singleton, so they are compiled with the
/// non-backtracking engine (time linear in the topic name, like the RE2J Kafka uses; backreferences, lookarounds and atomic
/// groups are not supported and make the pattern invalid) and a match timeout as a second guard: a match that times out
/// counts as no match. Not thread-safe: the shard owns it.
/// </para>
/// </summary>
internal sealed class TopicPatternCache
{
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>Bounds the cache against clients sending ever new patterns; live groups use few, so a full clear is cheap.</summary>
    private const int MaxCachedPatterns = 1024;

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private readonly Dictionary<string, Regex?> _compiled = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="pattern"/> compiles (invalid patterns are rejected with INVALID_REGULAR_EXPRESSION).</summary>
    public bool IsValid(string pattern) => Compiled(pattern) is not null;

    /// <summary>True when the whole of <paramref name="topic"/> matches <paramref name="pattern"/>; false for an invalid pattern or a timeout.</summary>
    public bool Matches(string pattern, string topic)
    {
        if (Compiled(pattern) is not { } regex)
        {
            return false;
        }

        try
        {
            return regex.IsMatch(topic);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private Regex? Compiled(string pattern)
    {
        if (_compiled.TryGetValue(pattern, out var regex))
        {
            return regex;
        }

        if (_compiled.Count >= MaxCachedPatterns)
        {
            _compiled.Clear();
        }

        regex = Compile(pattern);
        _compiled[pattern] = regex;
        return regex;
    }

    private static Regex? Compile(string pattern)
    {
        try
        {
            // The pattern must parse on its own first: only then is wrapping it in a group safe (a pattern such as "a)|(b"
            // would otherwise close the anchoring group and match unanchored).
            _ = new Regex(pattern, Options, MatchTimeout);
            return new Regex($@"\A(?:{pattern})\z", Options, MatchTimeout);
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }
}
