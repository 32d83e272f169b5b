using System.Globalization;
using ActorStream.Process.Tests.Support;

namespace ActorStream.Process.Tests;

/// <summary>
/// <c>produce</c> as a new user runs it: <c>--bootstrap-server localhost:port</c> against a node on 127.0.0.1, and a
/// line too large for the topic fails alone, named in the one-line error, while the other lines are stored.
/// </summary>
public sealed class ProduceProcessSpec : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-process", Guid.NewGuid().ToString("N"));
    private readonly List<CliProcess> _processes = [];

    public ProduceProcessSpec() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_line_too_large_for_the_topic_must_fail_alone_and_be_named()
    {
        var node = await CliProcess.StartAsync(_dir, "is up", CommandTimeout, "node", "start", "--port", "0", "--kafka-port", "0", "--data", Path.Combine(_dir, "data"));
        _processes.Add(node);
        var port = node.BoundPort.ToString(CultureInfo.InvariantCulture);
        var localhost = "localhost:" + port;
        var (created, _, createError) = await CliProcess.RunAsync(_dir, CommandTimeout, null, "topics", "create", "--bootstrap-server", localhost, "--topic", "small", "--partitions", "1", "--config", "max.message.bytes=1000");
        Assert.True(created == 0, createError);

        var lines = new[] { "first", new string('x', 1_500), "third" };
        var (exit, _, stderr) = await CliProcess.RunAsync(_dir, CommandTimeout, string.Join('\n', lines) + "\n", "produce", "--bootstrap-server", localhost, "--topic", "small", "--producer-property", "linger.ms=1000");
        Assert.Equal(1, exit);
        var error = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith("error: 1 of 3 records were not acknowledged: line 2: ", error, StringComparison.Ordinal);
        Assert.Contains("MessageTooLarge", error, StringComparison.Ordinal);

        var (consumed, stdout, consumeError) = await CliProcess.RunAsync(_dir, CommandTimeout, null, "consume", "--bootstrap-server", localhost, "--topic", "small", "--from-beginning", "--max-messages", "2", "--timeout-ms", "30000");
        Assert.True(consumed == 0, consumeError);
        Assert.Equal(["first", "third"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
