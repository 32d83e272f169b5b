namespace ActorStream.Protocol.Logging;

/// <summary>
/// The log levels <c>--log-level</c>, <c>akka.loglevel</c> and the client's <c>log.level</c> accept: Akka's names, in
/// any case, plus log4j's <c>WARN</c> (what Kafka users type).
/// </summary>
public static class LogLevels
{
    public static IReadOnlyList<string> Names { get; } = ["DEBUG", "INFO", "WARNING", "ERROR", "OFF"];

    public static bool IsValid(string level) => TryToAkka(level, out _);

    /// <summary>The Akka name (<c>akka.loglevel</c>) of <paramref name="level"/>.</summary>
    public static string ToAkka(string level) =>
        TryToAkka(level, out var akka) ? akka : throw new ArgumentException($"Unknown log level '{level}': expected one of {string.Join(", ", Names)}");

    private static bool TryToAkka(string level, out string akka)
    {
        var upper = level.Trim().ToUpperInvariant();
        akka = upper == "WARN" ? "WARNING" : upper;
        return Names.Contains(akka, StringComparer.Ordinal);
    }
}
