using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ActorStream.Cli.Perf;
using ActorStream.Client;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Serialization;

namespace ActorStream.Cli.Commands;

/// <summary><c>actorstream perf produce|consume</c>: kafka-producer-perf-test and kafka-consumer-perf-test.</summary>
internal static class PerfCommand
{
    public static Command Create()
    {
        var command = new Command("perf", "Throughput and latency tests");
        command.Subcommands.Add(ProduceCommand());
        command.Subcommands.Add(ConsumeCommand());
        return command;
    }

    private static Command ProduceCommand()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var topic = CommonOptions.Topic();
        var numRecords = new Option<long>("--num-records") { Description = "Records to send", Required = true };
        var recordSize = new Option<int>("--record-size") { Description = "Bytes per record value", Required = true };
        var throughput = new Option<long>("--throughput") { Description = "Records/s to aim for; -1 = as fast as possible", Required = true };
        var producerProperties = CommonOptions.KeyValues("--producer-property", "Producer config k=v (Kafka names), e.g. acks=1 linger.ms=5 batch.size=65536");
        var command = new Command("produce", "Producer throughput and latency, like kafka-producer-perf-test") { bootstrap, topic, numRecords, recordSize, throughput, producerProperties };
        command.SetAction(async (parse, ct) =>
        {
            var config = Commands.ProduceCommand.ProducerConfigFor(parse.GetValue(bootstrap)!, CommonOptions.ParseKeyValues(parse.GetValue(producerProperties), "--producer-property").WithLogLevel(parse));
            var name = parse.GetValue(topic)!;
            var count = parse.GetValue(numRecords);
            var size = parse.GetValue(recordSize);
            var rate = parse.GetValue(throughput);
            var payload = new byte[size];
            var random = new Random(42);
            for (var i = 0; i < payload.Length; i++)
            {
                payload[i] = (byte)random.Next('A', 'Z' + 1);
            }

            await using var producer = new Producer<Null, byte[]>(config, Serializers.Null, Serializers.ByteArray);
            await producer.ConnectedTask.WaitAsync(ct);
            var stats = new ProducerPerfStats(size, Console.Out);
            var failures = 0L;
            string? firstError = null;
            // Kafka's send() blocks when buffer.memory is full; our ProduceAsync queues instead, so bound what is
            // outstanding to what the buffer can hold.
            var outstanding = new OutstandingLimit(Math.Clamp(config.BufferMemory / (size + 70), 1_000, 1_000_000));
            var clock = Stopwatch.StartNew();
            for (var i = 0L; i < count; i++)
            {
                if (rate > 0)
                {
                    var due = TimeSpan.FromTicks(i * TimeSpan.TicksPerSecond / rate);
                    if (due - clock.Elapsed is { TotalMilliseconds: >= 1 } ahead)
                    {
                        await Task.Delay(ahead, ct);
                    }
                }

                await outstanding.AcquireAsync(ct);
                var sent = Stopwatch.GetTimestamp();
                _ = producer.ProduceAsync(name, null, payload, cancellationToken: ct).ContinueWith(
                    t =>
                    {
                        outstanding.Release();
                        if (t.IsCompletedSuccessfully)
                        {
                            stats.Record(Stopwatch.GetElapsedTime(sent));
                        }
                        else
                        {
                            Interlocked.Increment(ref failures);
                            Interlocked.CompareExchange(ref firstError, t.Exception?.GetBaseException().Message ?? "cancelled", null);
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }

            await producer.FlushAsync(ct);
            while (stats.Count + Interlocked.Read(ref failures) < count)
            {
                await Task.Delay(10, ct);
            }

            Console.Out.WriteLine(stats.Summary());
            if (failures > 0)
            {
                await Console.Error.WriteLineAsync($"error: {failures} records failed; first: {firstError}");
                return 1;
            }

            return 0;
        });
        return command;
    }

    private static Command ConsumeCommand()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var topic = CommonOptions.Topic();
        var messages = new Option<long>("--messages") { Description = "Records to consume", Required = true };
        var group = new Option<string?>("--group") { Description = "Consume as a member of this consumer group (subscribe instead of reading every partition), like kafka-consumer-perf-test --group" };
        var timeout = new Option<int>("--timeout") { Description = "Give up after this many ms without a record", DefaultValueFactory = _ => 10_000 };
        var consumerProperties = CommonOptions.KeyValues("--consumer-property", "Consumer config k=v (Kafka names)");
        var command = new Command("consume", "Consumer throughput, like kafka-consumer-perf-test (reads from the beginning)") { bootstrap, topic, messages, group, timeout, consumerProperties };
        command.SetAction(async (parse, ct) =>
        {
            var groupId = parse.GetValue(group);
            var properties = CommonOptions.ParseKeyValues(parse.GetValue(consumerProperties), "--consumer-property").WithLogLevel(parse);
            if (groupId is not null)
            {
                properties["group.id"] = groupId;
            }

            properties.TryAdd("bootstrap.servers", parse.GetValue(bootstrap)!);
            properties.TryAdd("client.id", "actorstream-perf");
            properties.TryAdd("auto.offset.reset", "earliest");
            var name = parse.GetValue(topic)!;
            var wanted = parse.GetValue(messages);
            var idle = TimeSpan.FromMilliseconds(parse.GetValue(timeout));

            List<TopicPartition> partitions;
            await using (var admin = CommonOptions.Admin(parse, bootstrap))
            {
                partitions = await TopicResolver.PartitionsAsync(admin, name, null, ct);
            }

            await using var consumer = new Consumer<byte[]?, byte[]?>(ConsumerConfig.FromProperties(properties), Deserializers.ByteArray, Deserializers.ByteArray);
            if (groupId is not null)
            {
                // Kafka's perf test subscribes with its group; rebalance.time.ms stays 0 (the join is part of fetch time).
                consumer.Subscribe([name]);
            }
            else
            {
                consumer.Assign(partitions);
            }

            var start = DateTime.Now;
            var clock = Stopwatch.StartNew();
            long count = 0, bytes = 0;
            var lastRecord = clock.Elapsed;
            while (count < wanted && clock.Elapsed - lastRecord < idle)
            {
                var records = await consumer.PollAsync(TimeSpan.FromMilliseconds(100), ct);
                foreach (var record in records)
                {
                    count++;
                    bytes += (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0);
                }

                if (records.Count > 0)
                {
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
                await Console.Error.WriteLineAsync($"error: consumed only {count} of {wanted} records before {idle.TotalMilliseconds} ms passed without one");
                return 1;
            }

            return 0;
        });
        return command;
    }
}
