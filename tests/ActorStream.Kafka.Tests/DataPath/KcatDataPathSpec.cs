using System.Diagnostics;
using System.Globalization;
using StoredCodec = ActorStream.Storage.Compression.CompressionType;

namespace ActorStream.Kafka.Tests.DataPath;

/// <summary>
/// Debian's kcat 1.7.1 (librdkafka 2.0.2), unchanged: <c>-L</c>, <c>-P -z</c> with every codec (the stored batches must
/// carry it: librdkafka before 2.11.1 drops to uncompressed when the broker does not advertise Produce v0),
/// <c>-C -o beginning -e</c> and <c>-Q</c> offsets by time. Skipped when kcat is not installed (the test command installs it).
/// </summary>
[Collection(KafkaDataNodeCollection.Name)]
public sealed class KcatDataPathSpec(KafkaDataNode node, ITestOutputHelper output)
{
    private static readonly string? KcatPath = new[] { "/usr/bin/kcat", "/usr/local/bin/kcat" }.FirstOrDefault(File.Exists);

    [SkippableFact]
    public async Task List_shows_this_node_at_its_Kafka_address_and_the_topic()
    {
        Skip.If(KcatPath is null, "kcat is not installed (apt-get install -y kcat)");
        var topic = await node.CreateTopicAsync("kcat-list", partitions: 3);
        var (code, stdout) = await KcatAsync(null, "-L", "-t", topic);
        Assert.Equal(0, code);
        Assert.Contains($"broker {node.Node.Settings.NodeId} at {node.Bootstrap}", stdout, StringComparison.Ordinal);
        Assert.Contains($"topic \"{topic}\" with 3 partitions", stdout, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("gzip", StoredCodec.Gzip)]
    [InlineData("snappy", StoredCodec.Snappy)]
    [InlineData("lz4", StoredCodec.Lz4)]
    [InlineData("zstd", StoredCodec.Zstd)]
    public async Task Produce_with_a_codec_stores_it_and_consume_from_the_beginning_reads_every_line(string codec, StoredCodec expected)
    {
        Skip.If(KcatPath is null, "kcat is not installed (apt-get install -y kcat)");
        var topic = await node.CreateTopicAsync("kcat-" + codec);
        var lines = Enumerable.Range(0, 30).Select(i => $"line {i} " + new string('z', 100)).ToList();
        var (produced, _) = await KcatAsync(string.Join('\n', lines) + "\n", "-P", "-t", topic, "-p", "0", "-z", codec);
        Assert.Equal(0, produced);

        var codecs = await node.StoredCodecsAsync(topic);
        Assert.NotEmpty(codecs);
        Assert.All(codecs, c => Assert.Equal(expected, c));

        var (consumed, stdout) = await KcatAsync(null, "-C", "-t", topic, "-o", "beginning", "-e", "-q");
        Assert.Equal(0, consumed);
        Assert.Equal(lines, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [SkippableFact]
    public async Task Query_finds_the_first_offset_at_or_after_a_timestamp()
    {
        Skip.If(KcatPath is null, "kcat is not installed (apt-get install -y kcat)");
        var topic = await node.CreateTopicAsync("kcat-query");
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1;
        var (produced, _) = await KcatAsync("a\nb\nc\n", "-P", "-t", topic, "-p", "0");
        Assert.Equal(0, produced);

        var (code, stdout) = await KcatAsync(null, "-Q", "-t", $"{topic}:0:{before.ToString(CultureInfo.InvariantCulture)}");
        Assert.Equal(0, code);
        Assert.Contains($"{topic} [0] offset 0", stdout, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Stdout)> KcatAsync(string? stdin, params string[] arguments)
    {
        var start = new ProcessStartInfo(KcatPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-b");
        start.ArgumentList.Add(node.Bootstrap);
        if (Environment.GetEnvironmentVariable("ACTORSTREAM_KAFKA_DEBUG") is { Length: > 0 } debug)
        {
            start.ArgumentList.Add("-d");
            start.ArgumentList.Add(debug);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(KafkaDataNode.Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kcat {string.Join(' ', arguments)} did not finish in {KafkaDataNode.Timeout}: {await stderr}");
        }

        var error = await stderr;
        output.WriteLine($"kcat {string.Join(' ', arguments)} → {process.ExitCode}\n{error}");
        return (process.ExitCode, await stdout);
    }
}
