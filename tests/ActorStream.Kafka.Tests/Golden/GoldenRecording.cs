using System.Diagnostics;
using System.Text;
using ActorStream.Kafka.Generator;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace ActorStream.Kafka.Tests.Golden;

/// <summary>
/// Records the golden frames: real clients (Confluent.Kafka, kcat, kafkajs) talk to a <see cref="RecordingBroker"/>,
/// and the first request frame of each api key and version goes into Golden/&lt;client&gt;/ as hex. Opt-in, because it
/// needs kcat and kafkajs installed and rewrites committed files:
/// <c>ACTORSTREAM_RECORD_GOLDEN=1 KAFKAJS_DIR=/tmp/kjs dotnet test tests/ActorStream.Kafka.Tests --filter GoldenRecording</c>.
/// <see cref="GoldenFrameSpec"/> is the always-running check of what was recorded.
/// </summary>
public sealed class GoldenRecording
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(60);

    private static bool Enabled => Environment.GetEnvironmentVariable("ACTORSTREAM_RECORD_GOLDEN") == "1";

    [SkippableFact]
    public async Task Record_Confluent_Kafka_producer()
    {
        Skip.IfNot(Enabled, "set ACTORSTREAM_RECORD_GOLDEN=1 to record");
        await using var broker = new RecordingBroker();
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = $"127.0.0.1:{broker.Port}", ClientId = GoldenClients.ConfluentProducer, Acks = Acks.All, LingerMs = 0,
            MessageTimeoutMs = 30000,
        }).Build())
        {
            await producer.ProduceAsync(new TopicPartition(RecordingBroker.DefaultTopic, 0), new Message<string, string> { Key = "confluent-key", Value = "confluent-value" });
            producer.Flush(ClientTimeout);
        }

        Save(broker, "confluent-producer");
    }

    [SkippableFact]
    public async Task Record_Confluent_Kafka_idempotent_producer()
    {
        Skip.IfNot(Enabled, "set ACTORSTREAM_RECORD_GOLDEN=1 to record");
        await using var broker = new RecordingBroker();
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = $"127.0.0.1:{broker.Port}", ClientId = GoldenClients.ConfluentIdempotent, EnableIdempotence = true, LingerMs = 0,
            MessageTimeoutMs = 30000,
        }).Build())
        {
            await producer.ProduceAsync(new TopicPartition(RecordingBroker.DefaultTopic, 0), new Message<string, string> { Key = "idempotent-key", Value = "idempotent-value" });
            producer.Flush(ClientTimeout);
        }

        Save(broker, "confluent-idempotent");
    }

    [SkippableFact]
    public async Task Record_Confluent_Kafka_admin_create_topics()
    {
        Skip.IfNot(Enabled, "set ACTORSTREAM_RECORD_GOLDEN=1 to record");
        await using var broker = new RecordingBroker();
        using (var admin = new AdminClientBuilder(new AdminClientConfig
        {
            BootstrapServers = $"127.0.0.1:{broker.Port}", ClientId = GoldenClients.ConfluentAdmin,
        }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "golden-created", NumPartitions = 3, ReplicationFactor = 1 }]);
            await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "golden-created", IncreaseTo = 5 }]);
            var resource = new ConfigResource { Type = ResourceType.Topic, Name = "golden-created" };
            await admin.DescribeConfigsAsync([resource]);
            await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [resource] = [new ConfigEntry { Name = "retention.ms", Value = "3600000", IncrementalOperation = AlterConfigOpType.Set }],
            });
            await admin.DescribeClusterAsync();
            await admin.DeleteRecordsAsync([new TopicPartitionOffset("golden-created", 0, 7)]);
            await admin.DeleteTopicsAsync(["golden-created"]);
        }

        Save(broker, "confluent-admin");
    }

    [SkippableFact]
    public async Task Record_Confluent_Kafka_consumer()
    {
        Skip.IfNot(Enabled, "set ACTORSTREAM_RECORD_GOLDEN=1 to record");
        await using var broker = new RecordingBroker();
        var partition = new TopicPartition(RecordingBroker.DefaultTopic, 0);
        using (var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = $"127.0.0.1:{broker.Port}", ClientId = GoldenClients.ConfluentConsumer, GroupId = "golden-group",
            EnableAutoCommit = false, EnablePartitionEof = true, FetchWaitMaxMs = 321,
        }).Build())
        {
            consumer.OffsetsForTimes([new TopicPartitionTimestamp(partition, new Timestamp(GoldenClients.OffsetsForTime, TimestampType.CreateTime))], ClientTimeout);
            consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
            var deadline = DateTime.UtcNow + ClientTimeout;
            while (consumer.Consume(TimeSpan.FromSeconds(1)) is not { IsPartitionEOF: true })
            {
                Assert.True(DateTime.UtcNow < deadline, "no end of partition from the recorder");
            }
        }

        Save(broker, "confluent-consumer");
    }

    [SkippableFact]
    public async Task Record_kcat_consumer()
    {
        Skip.IfNot(Enabled, "set ACTORSTREAM_RECORD_GOLDEN=1 to record");
        await using var broker = new RecordingBroker();
        await RunAsync("kcat", $"-C -b 127.0.0.1:{broker.Port} -t {RecordingBroker.DefaultTopic} -p 0 -o beginning -e -X client.id={GoldenClients.KcatConsumer} -X fetch.wait.max.ms=123", null);
        Save(broker, "kcat-consumer");
    }

    [SkippableFact]
    public async Task Record_kcat_producer()
    {
        Skip.IfNot(Enabled, "set ACTORSTREAM_RECORD_GOLDEN=1 to record");
        await using var broker = new RecordingBroker();
        await RunAsync("kcat", $"-P -b 127.0.0.1:{broker.Port} -t {RecordingBroker.DefaultTopic} -p 0 -X client.id={GoldenClients.Kcat} -X acks=1", "kcat-value\n");
        Save(broker, "kcat");
    }

    [SkippableFact]
    public async Task Record_kafkajs_producer_and_admin()
    {
        Skip.IfNot(Enabled, "set ACTORSTREAM_RECORD_GOLDEN=1 to record");
        var kafkajs = Environment.GetEnvironmentVariable("KAFKAJS_DIR") ?? "/tmp/kjs";
        await using var broker = new RecordingBroker();
        var script = Path.Combine(Path.GetTempPath(), $"golden-kafkajs-{Guid.NewGuid():N}.js");
        await File.WriteAllTextAsync(script, $$"""
            const { Kafka, logLevel } = require({{Quote(Path.Combine(kafkajs, "node_modules", "kafkajs"))}});
            const kafka = new Kafka({ clientId: '{{GoldenClients.Kafkajs}}', brokers: ['127.0.0.1:{{broker.Port}}'], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
            (async () => {
              const producer = kafka.producer();
              await producer.connect();
              await producer.send({ topic: '{{RecordingBroker.DefaultTopic}}', acks: -1, messages: [{ key: 'kafkajs-key', value: 'kafkajs-value', partition: 0 }] });
              await producer.disconnect();
              const admin = kafka.admin();
              await admin.connect();
              await admin.createTopics({ topics: [{ topic: 'golden-kafkajs-created', numPartitions: 2, replicationFactor: 1 }] });
              await admin.disconnect();
            })().catch(e => { console.error(e); process.exit(1); });
            """);
        try
        {
            await RunAsync("node", script, null);
        }
        finally
        {
            File.Delete(script);
        }

        Save(broker, "kafkajs");
    }

    private static string Quote(string path) => "'" + path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static async Task RunAsync(string program, string arguments, string? input)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ClientTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, $"{program} exited {process.ExitCode}: {await output}{await errors}");
    }

    /// <summary>Writes the first frame of each api key and version, in arrival order, replacing the client's folder.</summary>
    private static void Save(RecordingBroker broker, string client)
    {
        var root = RepositoryPaths.FindRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("not inside the repository");
        var folder = Path.Combine(root, "tests", "ActorStream.Kafka.Tests", "Golden", client);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        // Distinct frames (the correlation id aside), at most three of an api key and version: a poll repeats itself.
        var perVersion = new Dictionary<(short, short), int>();
        var frames = broker.Frames
            .DistinctBy(f => Convert.ToHexString(f.Bytes.AsSpan(0, 4)) + Convert.ToHexString(f.Bytes.AsSpan(8)))
            .Where(f => (perVersion[(f.ApiKey, f.ApiVersion)] = perVersion.GetValueOrDefault((f.ApiKey, f.ApiVersion)) + 1) <= 3)
            .ToList();
        Assert.NotEmpty(frames);
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            var hex = Convert.ToHexString(frame.Bytes);
            var text = new StringBuilder();
            for (var at = 0; at < hex.Length; at += 64)
            {
                text.Append(hex.AsSpan(at, Math.Min(64, hex.Length - at))).Append('\n');
            }

            File.WriteAllText(Path.Combine(folder, $"{i:00}-{GoldenClients.ApiName(frame.ApiKey)}-v{frame.ApiVersion}.hex"), text.ToString());
        }
    }
}
