using System.Globalization;
using ActorStream.Kafka.Tests.Support;

namespace ActorStream.Kafka.Tests;

/// <summary>
/// The shared fixtures and client helpers themselves: the node process is up and serves the native protocol, kcat runs
/// bounded, librdkafka's logs reach the test output.
/// </summary>
[Collection(KafkaNodeCollection.Name)]
public sealed class KafkaNodeFixtureSpec(KafkaNode node, ITestOutputHelper output)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task The_node_must_serve_the_native_protocol_at_its_bootstrap_address()
    {
        Assert.False(node.Process.HasExited, node.Output());
        Assert.Equal(0, node.Process.NodeId);
        var topic = await node.CreateTopicAsync("fixture", partitions: 2);

        await CliProcess.RunOkAsync(node.Directory, CommandTimeout, "one\ntwo\n", "produce", "--bootstrap-server", node.NativeBootstrap, "--topic", topic);
        var consumed = await CliProcess.RunOkAsync(node.Directory, CommandTimeout, null, "consume", "--bootstrap-server", node.NativeBootstrap, "--topic", topic, "--from-beginning", "--max-messages", "2", "--timeout-ms", "30000");

        Assert.Equal(["one", "two"], consumed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order());
    }

    [Fact]
    public async Task The_node_must_accept_Kafka_connections_at_its_Kafka_bootstrap_address()
    {
        Assert.True(node.Process.HasKafkaListener, node.Output());
        Assert.NotEqual(node.Process.NativePort, node.KafkaPort);
        using var tcp = new System.Net.Sockets.TcpClient();

        await tcp.ConnectAsync("127.0.0.1", node.KafkaPort);

        Assert.Equal($"127.0.0.1:{node.KafkaPort}", node.KafkaBootstrap);
    }

    [Fact]
    public async Task Kcat_must_run_and_report_its_librdkafka()
    {
        var result = await Kcat.RunOkAsync(["-V"]);

        Assert.Contains("librdkafka", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kcat_must_be_killed_when_it_outlives_its_timeout()
    {
        // A consumer without -e against a port nothing listens on runs until it is stopped.
        var closed = "127.0.0.1:" + ClosedPort().ToString(CultureInfo.InvariantCulture);

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => Kcat.RunAsync(["-b", closed, "-C", "-t", "nothing"], timeout: TimeSpan.FromSeconds(3)));

        Assert.Contains("killed pid", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Librdkafka_logs_must_reach_the_test_output()
    {
        var recording = new RecordingOutput(output);
        var closed = "127.0.0.1:" + ClosedPort().ToString(CultureInfo.InvariantCulture);
        using (KafkaClients.Producer(closed, recording))
        {
            // librdkafka logs (and reports) the refused connection from its own threads.
            await Eventually.TrueAsync(() => recording.Lines.Any(l => l.Contains("rdkafka", StringComparison.Ordinal) && l.Contains(closed, StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "a librdkafka line naming the refused address");
        }
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
