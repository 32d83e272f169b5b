using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

/// <summary>
/// End-to-end latency at a fixed rate: one Confluent.Kafka producer (linger.ms=0, acks=1 unless overridden) sends
/// <c>--rate</c> records a second, each carrying its send time; one consumer in the same process (assigned at the end
/// of every partition, fetch.wait.max.ms=10 unless overridden) reads them back. After <c>--warmup-seconds</c> it
/// records, per record, the time from the Produce call to its delivery report (the broker's ack) and to the consumer's
/// Consume returning it, and prints p50/p99/p99.9/max of both.
/// </summary>
internal static class KafkaLatency
{
    private const int Header = 16; // send timestamp (Stopwatch ticks) and sequence number

    public static int Run(Options options)
    {
        var topic = options.String("topic");
        var bootstrap = options.String("bootstrap-server");
        var rate = options.Int64("rate", 5_000);
        var measured = TimeSpan.FromSeconds(options.Int64("seconds", 10));
        var warmup = TimeSpan.FromSeconds(options.Int64("warmup-seconds", 2));
        var recordSize = (int)Math.Max(Header, options.Int64("record-size", 100));
        var total = (long)(rate * (warmup + measured).TotalSeconds);
        var firstMeasured = (long)(rate * warmup.TotalSeconds);

        var producerConfig = new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 0, Acks = Acks.Leader };
        foreach (var (key, value) in options.Properties)
        {
            producerConfig.Set(key, value);
        }

        var consumerConfig = new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "actorstream-kafka-latency", EnableAutoCommit = false, FetchWaitMaxMs = 10 };
        foreach (var (key, value) in options.ConsumerProperties)
        {
            consumerConfig.Set(key, value);
        }

        int partitions;
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(30)).Topics.Single().Partitions.Count;
        }

        var endToEnd = new double[total - firstMeasured];
        var acked = new double[total - firstMeasured];
        long received = 0, acknowledged = 0, failed = 0;
        string? firstError = null;
        using var stop = new CancellationTokenSource();
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(consumerConfig)
            .SetErrorHandler((_, error) => Console.Error.WriteLine($"rdkafka consumer error {error.Code}: {error.Reason}"))
            .Build();
        // Assigned at each partition's current end, resolved before the first record so that none is skipped.
        consumer.Assign(Enumerable.Range(0, partitions).Select(p =>
        {
            var partition = new TopicPartition(topic, p);
            return new TopicPartitionOffset(partition, consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(30)).High);
        }));
        using var ready = new ManualResetEventSlim();
        var reading = new Thread(() =>
        {
            ready.Set();
            while (!stop.IsCancellationRequested)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false, Message.Value: { Length: >= Header } value })
                {
                    var now = Stopwatch.GetTimestamp();
                    var sequence = BinaryPrimitives.ReadInt64LittleEndian(value.AsSpan(8));
                    if (sequence >= firstMeasured && sequence < total)
                    {
                        endToEnd[sequence - firstMeasured] = Milliseconds(now - BinaryPrimitives.ReadInt64LittleEndian(value));
                    }

                    if (Interlocked.Increment(ref received) >= total)
                    {
                        return;
                    }
                }
            }
        }) { IsBackground = true, Name = "latency-consumer" };
        reading.Start();
        ready.Wait();

        using var producer = new ProducerBuilder<Null, byte[]>(producerConfig)
            .SetErrorHandler((_, error) => Console.Error.WriteLine($"rdkafka producer error {error.Code}: {error.Reason}"))
            .Build();

        var clock = Stopwatch.StartNew();
        for (long sequence = 0; sequence < total; sequence++)
        {
            // Paced against the clock, not per-record sleeps: a 1 ms sleep sends the records that came due meanwhile.
            var due = TimeSpan.FromSeconds(sequence / (double)rate);
            while (clock.Elapsed < due)
            {
                Thread.Sleep(1);
            }

            var value = new byte[recordSize];
            var sentAt = Stopwatch.GetTimestamp();
            BinaryPrimitives.WriteInt64LittleEndian(value, sentAt);
            BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(8), sequence);
            var index = sequence - firstMeasured;
            producer.Produce(topic, new Message<Null, byte[]> { Value = value }, report =>
            {
                if (report.Error.IsError)
                {
                    Interlocked.Increment(ref failed);
                    firstError ??= report.Error.Reason;
                    return;
                }

                if (index >= 0)
                {
                    acked[index] = Milliseconds(Stopwatch.GetTimestamp() - sentAt);
                }

                Interlocked.Increment(ref acknowledged);
            });
        }

        var sendSeconds = clock.Elapsed.TotalSeconds;
        producer.Flush(TimeSpan.FromMinutes(1));
        if (!reading.Join(TimeSpan.FromSeconds(30)))
        {
            stop.Cancel();
            reading.Join();
        }

        Console.Out.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            "{0} records at {1:F0} records/sec ({2} measured after {3} s warm-up), end-to-end ms p50 {4:F2} p99 {5:F2} p99.9 {6:F2} max {7:F2}, ack ms p50 {8:F2} p99 {9:F2} p99.9 {10:F2} max {11:F2}.",
            total,
            total / sendSeconds,
            endToEnd.Length,
            warmup.TotalSeconds,
            Percentile(endToEnd, 0.50),
            Percentile(endToEnd, 0.99),
            Percentile(endToEnd, 0.999),
            Percentile(endToEnd, 1),
            Percentile(acked, 0.50),
            Percentile(acked, 0.99),
            Percentile(acked, 0.999),
            Percentile(acked, 1)));
        var receivedCount = Interlocked.Read(ref received);
        if (failed > 0 || receivedCount < total)
        {
            Console.Error.WriteLine($"error: {failed} records failed (first: {firstError}), {receivedCount} of {total} consumed");
            return 1;
        }

        return 0;
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double Percentile(double[] values, double quantile)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(quantile * sorted.Length))];
    }
}
