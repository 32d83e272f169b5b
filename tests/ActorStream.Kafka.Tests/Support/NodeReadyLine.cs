using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>One Kafka listener a node advertises: <c>NAME://HOST:PORT</c>.</summary>
public sealed record KafkaListenerAddress(string Name, string Host, int Port)
{
    public override string ToString() => $"{Name}://{Host}:{Port}";
}

/// <summary>
/// A node's ready line, <c>ActorStream node N of cluster C is up: bootstrap HOST:PORT, kafka PLAINTEXT://HOST:KPORT, data ...,
/// journal ...</c> (several listeners separated by spaces: <c>kafka INTERNAL://n0:19092 EXTERNAL://localhost:9092</c>;
/// <c>kafka off</c> when the node runs no gateway; older nodes printed no <c>kafka</c> part).
/// </summary>
public sealed partial record NodeReadyLine(int NodeId, string ClusterId, string NativeBootstrap, IReadOnlyList<KafkaListenerAddress> KafkaListeners)
{
    public int NativePort => int.Parse(NativeBootstrap[(NativeBootstrap.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);

    /// <summary>Finds the ready line in a node's stdout.</summary>
    public static NodeReadyLine Parse(string stdout)
    {
        var match = ReadyLine().Match(stdout);
        if (!match.Success)
        {
            throw new FormatException($"No ready line in the node's output: {stdout}");
        }

        var listeners = new List<KafkaListenerAddress>();
        if (match.Groups["listeners"] is { Success: true, Value: not "off" })
        {
            foreach (var listener in match.Groups["listeners"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var parsed = Listener().Match(listener);
                if (!parsed.Success)
                {
                    throw new FormatException($"Not a Kafka listener NAME://HOST:PORT: '{listener}' in {match.Value}");
                }

                listeners.Add(new KafkaListenerAddress(parsed.Groups["name"].Value, parsed.Groups["host"].Value, int.Parse(parsed.Groups["port"].Value, CultureInfo.InvariantCulture)));
            }
        }

        return new NodeReadyLine(
            int.Parse(match.Groups["node"].Value, CultureInfo.InvariantCulture),
            match.Groups["cluster"].Value,
            match.Groups["bootstrap"].Value,
            listeners);
    }

    [GeneratedRegex(@"ActorStream node (?<node>\d+) of cluster (?<cluster>\S+) is up: bootstrap (?<bootstrap>[^\s,]+),(?: kafka (?<listeners>[^,]+),)? data ")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"^(?<name>[A-Za-z0-9_-]+)://(?<host>\[[^\]]+\]|[^:/]+):(?<port>\d+)$")]
    private static partial Regex Listener();
}
