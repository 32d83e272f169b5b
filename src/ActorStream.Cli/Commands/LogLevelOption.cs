using System.CommandLine;
using ActorStream.Protocol.Logging;

namespace ActorStream.Cli.Commands;

/// <summary>
/// <c>--log-level</c>, on every command: the level of the process's Akka log (Akka's messages and ActorStream's alike,
/// on stderr). For <c>node start</c> it sets <c>akka.loglevel</c> (default WARNING, from the node's config); for client
/// commands the client's <c>log.level</c> (default WARNING).
/// </summary>
internal static class LogLevelOption
{
    public static Option<string?> Instance { get; } = Create();

    /// <summary>The Akka level given on the command line, or null for the configured default.</summary>
    public static string? Get(ParseResult parse) => parse.GetValue(Instance) is { } level ? LogLevels.ToAkka(level) : null;

    private static Option<string?> Create()
    {
        var option = new Option<string?>("--log-level")
        {
            Description = $"Log detail on stderr: {string.Join(", ", LogLevels.Names)} (default WARNING: only real warnings and errors)",
            Recursive = true,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } level && !LogLevels.IsValid(level))
            {
                result.AddError($"--log-level: '{level}' is not a log level; expected one of {string.Join(", ", LogLevels.Names)}");
            }
        });
        return option;
    }
}
