using System.Text.RegularExpressions;

namespace ActorStream.Bench.Processes;

/// <summary>
/// ActorStream node(s) started as <c>dotnet actorstream.dll node start</c> on free loopback ports with a temp data
/// directory each (as bench/kafka-perf.sh and bench/cluster-perf.sh do); several nodes share one SQLite journal.
/// </summary>
internal sealed partial class ActorStreamCluster : IAsyncDisposable
{
    private readonly List<ChildProcess> _nodes;

    private ActorStreamCluster(List<ChildProcess> nodes, string bootstrap, string kafkaBootstrap)
    {
        _nodes = nodes;
        Bootstrap = bootstrap;
        KafkaBootstrap = kafkaBootstrap;
    }

    /// <summary>The native clients' bootstrap servers.</summary>
    public string Bootstrap { get; }

    /// <summary>The Kafka listeners (every node's), for Kafka clients.</summary>
    public string KafkaBootstrap { get; }

    public IReadOnlyList<int> Pids => _nodes.Select(n => n.Pid).ToList();

    [GeneratedRegex(@" is up: bootstrap ([^ ,]+), kafka [A-Za-z0-9_-]+://[^ ,]+:([0-9]+)")]
    private static partial Regex ReadyLine();

    public static async Task<ActorStreamCluster> StartAsync(string cliDll, string workDirectory, string name, int nodes)
    {
        var ports = Enumerable.Range(0, nodes).Select(_ => ChildProcess.FreePort()).ToList();
        var started = new List<ChildProcess>();
        var kafka = new List<string>();
        try
        {
            for (var id = 0; id < nodes; id++)
            {
                var arguments = new List<string> { cliDll, "node", "start", "--port", $"{ports[id]}", "--kafka-port", "0", "--data", Path.Combine(workDirectory, $"{name}-node-{id}") };
                if (nodes > 1)
                {
                    arguments.AddRange(["--node-id", $"{id}", "--journal", $"sqlite:{Path.Combine(workDirectory, $"{name}-journal.db")}"]);
                    arguments.AddRange(ports.SelectMany(p => new[] { "--seed", $"127.0.0.1:{p}" }));
                }

                var node = ChildProcess.Start($"{name}-node-{id}", "dotnet", arguments, workDirectory);
                started.Add(node);
                // Node 0 is the first seed: it forms the cluster before the others join.
                if (id == 0 || id == nodes - 1)
                {
                    foreach (var waiting in started.Skip(kafka.Count))
                    {
                        var line = await waiting.WaitForLineAsync(l => ReadyLine().IsMatch(l), TimeSpan.FromSeconds(120)).ConfigureAwait(false);
                        kafka.Add($"127.0.0.1:{ReadyLine().Match(line).Groups[2].Value}");
                    }
                }
            }

            return new ActorStreamCluster(started, string.Join(',', ports.Select(p => $"127.0.0.1:{p}")), string.Join(',', kafka));
        }
        catch
        {
            foreach (var node in started)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask())).ConfigureAwait(false);
    }
}
