using System.CommandLine;

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
        Arity = ArgumentArity.ZeroOrMore,
    };

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
