using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

// Confluent.Kafka (librdkafka) throughput against a Kafka listener, with librdkafka's defaults unless
// --producer-property / --consumer-property say otherwise:
//   produce --bootstrap-server H:P --topic T --num-records N --record-size S [--producer-property k=v ...]
//   consume --bootstrap-server H:P --topic T --messages N [--timeout MS] [--consumer-property k=v ...]
//   latency --bootstrap-server H:P --topic T [--rate 5000] [--seconds 10] [--warmup-seconds 2] [--record-size 100]
//           [--producer-property k=v ...] [--consumer-property k=v ...]
// produce prints kafka-producer-perf-test's summary line, consume kafka-consumer-perf-test's CSV header and line,
// latency one line of end-to-end (produce call to Consume) and acknowledgement percentiles.
return args.Length > 0 && args[0] is "produce" or "consume" or "latency" ? Run(args[0], Options.Parse(args.AsSpan(1))) : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: produce --bootstrap-server H:P --topic T --num-records N --record-size S [--producer-property k=v ...]");
    Console.Error.WriteLine("       consume --bootstrap-server H:P --topic T --messages N [--timeout MS] [--consumer-property k=v ...]");
    Console.Error.WriteLine("       latency --bootstrap-server H:P --topic T [--rate N] [--seconds S] [--warmup-seconds S] [--record-size B]");
    Console.Error.WriteLine("               [--producer-property k=v ...] [--consumer-property k=v ...]");
    return 2;
}

static int Run(string command, Options options)
{
    try
    {
        return command switch
        {
            "produce" => KafkaPerf.Produce(options),
            "consume" => KafkaPerf.Consume(options),
            _ => KafkaLatency.Run(options),
        };
    }
    catch (Exception e) when (e is KafkaException or ArgumentException or FormatException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
}

internal sealed class Options
{
    private readonly Dictionary<string, string> _values = [];

    public Dictionary<string, string> Properties { get; } = [];

    public Dictionary<string, string> ConsumerProperties { get; } = [];

    public static Options Parse(ReadOnlySpan<string> args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length || !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"expected --name value at '{args[i]}'");
            }

            if (args[i] is "--producer-property" or "--consumer-property")
            {
                var at = args[i + 1].IndexOf('=', StringComparison.Ordinal);
                if (at <= 0)
                {
                    throw new ArgumentException($"{args[i]}: '{args[i + 1]}' is not k=v");
                }

                var target = args[i] == "--consumer-property" ? options.ConsumerProperties : options.Properties;
                target[args[i + 1][..at]] = args[i + 1][(at + 1)..];
            }
            else
            {
                options._values[args[i][2..]] = args[i + 1];
            }
        }

        return options;
    }

    public string String(string name) => _values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

    public long Int64(string name, long? fallback = null) =>
        _values.TryGetValue(name, out var value) ? long.Parse(value, CultureInfo.InvariantCulture)
        : fallback ?? throw new ArgumentException($"--{name} is required");
}

internal static class KafkaPerf
{
    public static int Produce(Options options)
    {
        var topic = options.String("topic");
        var records = options.Int64("num-records");
        var value = new byte[options.Int64("record-size")];
        Random.Shared.NextBytes(value);
        var config = new ProducerConfig(options.Properties) { BootstrapServers = options.String("bootstrap-server") };
        using var producer = new ProducerBuilder<Null, byte[]>(config)
            .SetErrorHandler((_, error) => Console.Error.WriteLine($"rdkafka error {error.Code}: {error.Reason}"))
            .Build();

        // Connected and the topic's metadata known before the clock starts (kafka-producer-perf-test's first send
        // waits for metadata too, but inside its timing; here the warm-up is left out on both sides).
        producer.Produce(topic, new Message<Null, byte[]> { Value = value });
        producer.Flush(TimeSpan.FromSeconds(60));

        long acknowledged = 0, failed = 0, totalLatencyTicks = 0, maxLatencyTicks = 0;
        string? firstError = null;
        var message = new Message<Null, byte[]> { Value = value };
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < records; i++)
        {
            var sentAt = Stopwatch.GetTimestamp();
            while (true)
            {
                try
                {
                    producer.Produce(topic, message, report =>
                    {
                        // Delivery reports arrive on librdkafka's poll thread, one at a time.
                        var latency = Stopwatch.GetTimestamp() - sentAt;
                        totalLatencyTicks += latency;
                        maxLatencyTicks = Math.Max(maxLatencyTicks, latency);
                        if (report.Error.IsError)
                        {
                            Interlocked.Increment(ref failed);
                            firstError ??= report.Error.Reason;
                        }
                        else
                        {
                            Interlocked.Increment(ref acknowledged);
                        }
                    });
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // librdkafka's queue (queue.buffering.max.messages) is full: its background poll thread drains it.
                    Thread.Sleep(1);
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(5));
        // Flush returns once librdkafka's queue is empty; the last delivery reports may still be running on its poll thread.
        SpinWait.SpinUntil(() => Interlocked.Read(ref acknowledged) + Interlocked.Read(ref failed) >= records, TimeSpan.FromSeconds(30));
        var seconds = clock.Elapsed.TotalSeconds;
        var megabytes = records * value.Length / (1024.0 * 1024.0);
        var done = Math.Max(1, acknowledged + failed);
        Console.Out.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            "{0} records sent, {1:F1} records/sec ({2:F2} MB/sec), {3:F2} ms avg latency, {4:F2} ms max latency.",
            records,
            records / seconds,
            megabytes / seconds,
            totalLatencyTicks * 1000.0 / Stopwatch.Frequency / done,
            maxLatencyTicks * 1000.0 / Stopwatch.Frequency));
        if (acknowledged != records)
        {
            Console.Error.WriteLine($"error: {failed} records failed, {records - acknowledged - failed} unanswered; first: {firstError}");
            return 1;
        }

        return 0;
    }

    public static int Consume(Options options)
    {
        var topic = options.String("topic");
        var wanted = options.Int64("messages");
        var idle = TimeSpan.FromMilliseconds(options.Int64("timeout", 10_000));
        var bootstrap = options.String("bootstrap-server");
        int partitions;
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(30)).Topics.Single().Partitions.Count;
        }

        // A group id is required by Confluent.Kafka; with explicit offsets and no commits no group API is used.
        var config = new ConsumerConfig(options.ConsumerProperties)
        {
            BootstrapServers = bootstrap,
            GroupId = "actorstream-kafka-perf",
            EnableAutoCommit = false,
        };
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config)
            .SetErrorHandler((_, error) => Console.Error.WriteLine($"rdkafka error {error.Code}: {error.Reason}"))
            .Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var start = DateTime.Now;
        var clock = Stopwatch.StartNew();
        long count = 0, bytes = 0;
        var lastRecord = clock.Elapsed;
        while (count < wanted && clock.Elapsed - lastRecord < idle)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
            {
                count++;
                bytes += result.Message.Value?.Length ?? 0;
                lastRecord = clock.Elapsed;
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var megabytes = bytes / (1024.0 * 1024.0);
        Console.Out.WriteLine("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec");
        Console.Out.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            "{0:yyyy-MM-dd HH:mm:ss:fff}, {1:yyyy-MM-dd HH:mm:ss:fff}, {2:F4}, {3:F4}, {4}, {5:F4}, 0, {6}, {3:F4}, {5:F4}",
            start,
            DateTime.Now,
            megabytes,
            megabytes / seconds,
            count,
            count / seconds,
            (long)clock.Elapsed.TotalMilliseconds));
        if (count < wanted)
        {
            Console.Error.WriteLine($"error: consumed only {count} of {wanted} records before {idle.TotalMilliseconds} ms passed without one");
            return 1;
        }

        return 0;
    }
}
