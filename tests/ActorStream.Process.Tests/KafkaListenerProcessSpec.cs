using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ActorStream.Process.Tests.Support;

namespace ActorStream.Process.Tests;

/// <summary>
/// A real <c>actorstream node start</c> process and its Kafka listener: the ready line names it in Kafka's form, the
/// bound port answers ApiVersions, and a second node on the same Kafka port fails to start with one line naming the
/// listener and the port.
/// </summary>
public sealed class KafkaListenerProcessSpec : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-process", Guid.NewGuid().ToString("N"));

    public KafkaListenerProcessSpec() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>ApiVersions v0 by hand (this project does not reference the gateway): its error code.</summary>
    private static async Task<short> ApiVersionsV0Async(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        // size 10 | api key 18 | version 0 | correlation id 42 | client id null (-1)
        await stream.WriteAsync(new byte[] { 0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 42, 0xFF, 0xFF });
        using var cts = new CancellationTokenSource(CommandTimeout);
        var prefix = new byte[4];
        await stream.ReadExactlyAsync(prefix, cts.Token);
        var response = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        await stream.ReadExactlyAsync(response, cts.Token);
        Assert.Equal(42, BinaryPrimitives.ReadInt32BigEndian(response));
        return BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4));
    }

    [Fact]
    public async Task The_ready_line_must_name_the_Kafka_listener_and_a_taken_Kafka_port_must_fail_the_start()
    {
        using var node = await CliProcess.StartAsync(_dir, "is up", CommandTimeout, "node", "start", "--port", "0", "--kafka-port", "0", "--data", Path.Combine(_dir, "first"));

        var match = Regex.Match(node.Stdout, @"is up: bootstrap 127\.0\.0\.1:\d+, kafka PLAINTEXT://127\.0\.0\.1:(\d+), data ");
        Assert.True(match.Success, node.Stdout);
        var kafkaPort = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.NotEqual(0, kafkaPort);
        Assert.Equal(0, await ApiVersionsV0Async(kafkaPort));

        var (exit, stdout, stderr) = await CliProcess.RunAsync(
            _dir,
            CommandTimeout,
            null,
            "node", "start", "--port", "0", "--kafka-port", kafkaPort.ToString(CultureInfo.InvariantCulture), "--data", Path.Combine(_dir, "second"));

        Assert.NotEqual(0, exit);
        Assert.DoesNotContain("is up", stdout, StringComparison.Ordinal);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(
            $"error: Port {kafkaPort} on 127.0.0.1 (Kafka listener PLAINTEXT, actorstream.broker.kafka-port) is not available (AddressAlreadyInUse): is another node running there? Choose another port, or 0 for any free one",
            line);
    }

    [Fact]
    public async Task Named_listeners_must_all_appear_in_the_ready_line()
    {
        using var node = await CliProcess.StartAsync(
            _dir,
            "is up",
            CommandTimeout,
            "node", "start", "--port", "0", "--data", Path.Combine(_dir, "named"),
            "--kafka-listeners", "INTERNAL://127.0.0.1:0,EXTERNAL://:0",
            "--kafka-advertised-listeners", "EXTERNAL://localhost:0");

        var match = Regex.Match(node.Stdout, @", kafka INTERNAL://127\.0\.0\.1:(\d+) EXTERNAL://localhost:(\d+), data ");
        Assert.True(match.Success, node.Stdout);
        Assert.Equal(0, await ApiVersionsV0Async(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)));
        Assert.Equal(0, await ApiVersionsV0Async(int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)));
    }
}
