using System.Globalization;

namespace ActorStream.Client.Config;

/// <summary>One <c>host:port</c> of <c>bootstrap.servers</c>.</summary>
public readonly record struct BootstrapServer(string Host, int Port)
{
    /// <summary>Parses a comma-separated <c>host:port</c> list (Kafka's <c>bootstrap.servers</c>).</summary>
    public static IReadOnlyList<BootstrapServer> ParseList(string servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var result = new List<BootstrapServer>();
        foreach (var part in servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.LastIndexOf(':');
            if (colon <= 0 || colon == part.Length - 1
                || !int.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                || port is <= 0 or > 65535)
            {
                throw ConfigValidation.Error("bootstrap.servers", $"Invalid bootstrap.servers entry '{part}': expected host:port");
            }

            result.Add(new BootstrapServer(part[..colon].Trim('[', ']'), port));
        }

        return result.Count == 0
            ? throw ConfigValidation.Error("bootstrap.servers", "bootstrap.servers is empty: expected a comma-separated host:port list")
            : result;
    }

    public override string ToString() => $"{Host}:{Port}";
}
