using System.Net;
using System.Net.Sockets;
using ActorStream.Process.Tests.Support;

namespace ActorStream.Process.Tests;

/// <summary>
/// <c>node start</c> configured the container way: ACTORSTREAM_BIND_HOST binds every interface (a published port's
/// traffic arrives on the container's own interface) while clients still reach the advertised 127.0.0.1, and the
/// journal spec comes from the file ACTORSTREAM_JOURNAL_FILE names, never from the command line.
/// </summary>
public sealed class NodeEnvironmentSpec : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-process", Guid.NewGuid().ToString("N"));
    private readonly List<CliProcess> _processes = [];

    public NodeEnvironmentSpec() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_node_must_bind_every_interface_advertise_its_host_and_read_the_journal_file_from_the_environment()
    {
        var journal = Path.Combine(_dir, "elsewhere", "journal.db");
        var journalFile = Path.Combine(_dir, "journal-secret");
        await File.WriteAllTextAsync(journalFile, $"sqlite:{journal}\n");
        var environment = new Dictionary<string, string>
        {
            ["ACTORSTREAM_BIND_HOST"] = "0.0.0.0",
            ["ACTORSTREAM_HOST"] = "127.0.0.1",
            ["ACTORSTREAM_JOURNAL_FILE"] = journalFile,
        };

        var node = await CliProcess.StartAsync(_dir, "is up", CommandTimeout, environment,
            "node", "start", "--port", "0", "--kafka-port", "0", "--data", Path.Combine(_dir, "data"));
        _processes.Add(node);
        var port = node.BoundPort;

        Assert.Contains($"bootstrap 127.0.0.1:{port}", node.Stdout, StringComparison.Ordinal);
        Assert.Contains($"journal sqlite:{journal}", node.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(journal), $"no journal at {journal}");
        Assert.False(File.Exists(Path.Combine(_dir, "data", "metadata.db")), "the node used the default journal, not the file's");

        // 127.0.0.2 stands in for the container's interface: a node bound to 127.0.0.1 refuses it.
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port));
        }

        var (exit, _, stderr) = await CliProcess.RunAsync(_dir, CommandTimeout, null,
            "topics", "create", "--bootstrap-server", $"127.0.0.1:{port}", "--topic", "env", "--partitions", "1");
        Assert.True(exit == 0, $"topics create via the advertised address exited {exit}: {stderr}");
    }
}
