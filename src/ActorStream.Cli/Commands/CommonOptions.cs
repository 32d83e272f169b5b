using System.CommandLine;
using ActorStream.Client.Admin;
using ActorStream.Client.Config;

namespace ActorStream.Cli.Commands;

/// <summary>Options several commands share, named as Kafka's tools name them.</summary>
internal static class CommonOptions
{
    public static Option<string> BootstrapServer() => new("--bootstrap-server")
    {
        Description = "Comma-separated host:port list of broker nodes",
        DefaultValueFactory = _ => "127.0.0.1:4053",
    };

    public static Option<string> Topic(bool required = true) => new("--topic") { Description = "Topic name", Required = required };

    /// <summary>A repeatable <c>key=value</c> option, e.g. <c>--producer-property acks=all</c>.</summary>
    public static Option<string[]> KeyValues(string name, string description) => new(name)
    {
        Description = description,
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>An admin client for <paramref name="bootstrap"/>, logging at <c>--log-level</c>.</summary>
    public static AdminClient Admin(ParseResult parse, Option<string> bootstrap) => new(new AdminConfig
    {
        BootstrapServers = parse.GetValue(bootstrap)!,
        ClientId = "actorstream-cli",
        LogLevel = LogLevelOption.Get(parse),
    });

    /// <summary>Adds <c>--log-level</c> (as the client's <c>log.level</c>) to producer or consumer properties.</summary>
    public static Dictionary<string, string> WithLogLevel(this Dictionary<string, string> properties, ParseResult parse)
    {
        if (LogLevelOption.Get(parse) is { } level)
        {
            properties["log.level"] = level;
        }

        return properties;
    }

    public static Dictionary<string, string> ParseKeyValues(IEnumerable<string>? pairs, string option)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"{option} expects key=value, got '{pair}'");
            }

            result[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
        }

        return result;
    }
}
