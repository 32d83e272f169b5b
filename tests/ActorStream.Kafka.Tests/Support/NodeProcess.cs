namespace ActorStream.Kafka.Tests.Support;

/// <summary>
/// One running <c>actorstream node start</c> process and what its ready line says. Killed by PID (SIGKILL) or
/// terminated by PID (SIGTERM), never by name.
/// </summary>
public sealed class NodeProcess : IDisposable
{
    /// <summary>A node's start on two loaded cores, JIT included, takes 5-20 s; a cluster member waits for its seed too.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly CliProcess _process;

    private NodeProcess(CliProcess process, NodeReadyLine readyLine)
    {
        _process = process;
        ReadyLine = readyLine;
    }

    public NodeReadyLine ReadyLine { get; }

    public int NodeId => ReadyLine.NodeId;

    public int Pid => _process.Pid;

    public bool HasExited => _process.HasExited;

    /// <summary>The native protocol's <c>host:port</c> (ActorStream.Client, the CLI).</summary>
    public string NativeBootstrap => ReadyLine.NativeBootstrap;

    public int NativePort => ReadyLine.NativePort;

    /// <summary>Whether the node runs the Kafka gateway (its ready line names a listener).</summary>
    public bool HasKafkaListener => ReadyLine.KafkaListeners.Count > 0;

    /// <summary>The first Kafka listener's port.</summary>
    public int KafkaPort => HasKafkaListener
        ? ReadyLine.KafkaListeners[0].Port
        : throw new InvalidOperationException($"Node {NodeId}'s ready line names no Kafka listener (is the Kafka gateway running?): {_process.Stdout.Trim()}");

    /// <summary>The first Kafka listener on loopback, <c>127.0.0.1:KPORT</c>: a Kafka client's <c>bootstrap.servers</c>.</summary>
    public string KafkaBootstrap => $"127.0.0.1:{KafkaPort}";

    public string Stdout => _process.Stdout;

    public string Stderr => _process.Stderr;

    /// <summary>Starts <c>actorstream node start ARGS</c> and waits for its ready line.</summary>
    public static async Task<NodeProcess> StartAsync(string workingDirectory, IReadOnlyList<string> arguments)
    {
        var process = await CliProcess.StartAsync(workingDirectory, " is up: ", StartTimeout, ["node", "start", .. arguments]);
        try
        {
            return new NodeProcess(process, NodeReadyLine.Parse(process.Stdout));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL by PID: a crash, no leaving the cluster. Returns once the process is gone.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGTERM by PID: the clean shutdown path; returns the exit code.</summary>
    public Task<int> TerminateAsync(TimeSpan timeout) => _process.TerminateAsync(timeout);

    /// <summary>The end of what the process wrote, for failure messages.</summary>
    public string Output(int tail = 6000)
    {
        static string Tail(string text, int tail) => text.Length <= tail ? text : text[^tail..];
        return $"--- node {NodeId} (pid {Pid}) stderr:\n{Tail(Stderr, tail)}\n--- node {NodeId} (pid {Pid}) stdout:\n{Tail(Stdout, tail)}";
    }

    public void Dispose() => _process.Dispose();
}
