using System.Diagnostics;
using Confluent.Kafka;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>
/// Confluent.Kafka (librdkafka 2.16) clients for the specs: configs with bounded timeouts (a broken broker fails a test
/// in ~30 s instead of librdkafka's 5-minute message timeout), no <c>debug</c> contexts, and librdkafka's log and error
/// callbacks routed to the test's output so a failure shows what the client saw.
/// </summary>
public static class KafkaClients
{
    /// <summary>Bounded: what an admin call, a delivery or a read waits at most.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private const int TimeoutMs = 30_000;

    public static ProducerConfig ProducerConfig(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        ClientId = "actorstream-kafka-tests",
        SocketTimeoutMs = TimeoutMs,
        MessageTimeoutMs = TimeoutMs,
        RequestTimeoutMs = TimeoutMs,
        // librdkafka's default backs off reconnects up to 10 s; a restarted node should be seen again soon.
        ReconnectBackoffMaxMs = 1_000,
        BrokerAddressFamily = BrokerAddressFamily.V4,
    };

    /// <summary>
    /// A consumer for <c>Assign</c> with explicit offsets: a group id is required by Confluent.Kafka, but with
    /// auto-commit off and explicit offsets no group API is used.
    /// </summary>
    public static ConsumerConfig ConsumerConfig(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        ClientId = "actorstream-kafka-tests",
        GroupId = "actorstream-kafka-tests-" + Guid.NewGuid().ToString("N"),
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        SocketTimeoutMs = TimeoutMs,
        ReconnectBackoffMaxMs = 1_000,
        BrokerAddressFamily = BrokerAddressFamily.V4,
    };

    public static AdminClientConfig AdminConfig(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        ClientId = "actorstream-kafka-tests",
        SocketTimeoutMs = TimeoutMs,
        ReconnectBackoffMaxMs = 1_000,
        BrokerAddressFamily = BrokerAddressFamily.V4,
    };

    public static IProducer<TKey, TValue> Producer<TKey, TValue>(ProducerConfig config, ITestOutputHelper output) =>
        new ProducerBuilder<TKey, TValue>(config)
            .SetLogHandler((_, message) => Log(output, message))
            .SetErrorHandler((_, error) => Log(output, error))
            .Build();

    public static IProducer<byte[], byte[]> Producer(string bootstrap, ITestOutputHelper output) => Producer<byte[], byte[]>(ProducerConfig(bootstrap), output);

    public static IConsumer<TKey, TValue> Consumer<TKey, TValue>(ConsumerConfig config, ITestOutputHelper output) =>
        new ConsumerBuilder<TKey, TValue>(config)
            .SetLogHandler((_, message) => Log(output, message))
            .SetErrorHandler((_, error) => Log(output, error))
            .Build();

    public static IConsumer<byte[], byte[]> Consumer(string bootstrap, ITestOutputHelper output) => Consumer<byte[], byte[]>(ConsumerConfig(bootstrap), output);

    public static IAdminClient Admin(AdminClientConfig config, ITestOutputHelper output) =>
        new AdminClientBuilder(config)
            .SetLogHandler((_, message) => Log(output, message))
            .SetErrorHandler((_, error) => Log(output, error))
            .Build();

    public static IAdminClient Admin(string bootstrap, ITestOutputHelper output) => Admin(AdminConfig(bootstrap), output);

    /// <summary>
    /// Assigns every partition of <paramref name="topic"/> at its beginning and reads until <paramref name="count"/>
    /// records arrived (then returns them in arrival order) or <paramref name="timeout"/> passed (then fails, naming how
    /// many arrived).
    /// </summary>
    public static List<ConsumeResult<TKey, TValue>> ReadFromBeginning<TKey, TValue>(IConsumer<TKey, TValue> consumer, string topic, int partitions, int count, TimeSpan? timeout = null)
    {
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = new List<ConsumeResult<TKey, TValue>>();
        var limit = timeout ?? Timeout;
        var clock = Stopwatch.StartNew();
        while (records.Count < count)
        {
            var left = limit - clock.Elapsed;
            Assert.True(left > TimeSpan.Zero, $"Read {records.Count} of {count} records of {topic} in {limit}");
            if (consumer.Consume(left) is { IsPartitionEOF: false } result)
            {
                records.Add(result);
            }
        }

        return records;
    }

    /// <summary>Writes a librdkafka log line to the test's output (ignored once the test has finished).</summary>
    public static void Log(ITestOutputHelper output, LogMessage message) =>
        WriteLine(output, $"{DateTime.UtcNow:HH:mm:ss.fff} rdkafka {message.Level} [{message.Name}] {message.Facility}: {message.Message}");

    public static void Log(ITestOutputHelper output, Error error) =>
        WriteLine(output, $"{DateTime.UtcNow:HH:mm:ss.fff} rdkafka error {error.Code}{(error.IsFatal ? " (fatal)" : "")}: {error.Reason}");

    private static void WriteLine(ITestOutputHelper output, string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // librdkafka's threads log after the test that owned the client has finished.
        }
    }
}
