using System.CommandLine;
using System.Diagnostics;
using System.Text;
using ActorStream.Client;
using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Serialization;

namespace ActorStream.Cli.Commands;

/// <summary>
/// <c>actorstream consume</c>, like kafka-console-consumer: prints each value on its own line (keys, partitions,
/// offsets and timestamps with <c>--property print.key=true</c> etc.). Stops after <c>--max-messages</c>, or after
/// <c>--timeout-ms</c> without a new record, or on SIGTERM / Ctrl+C. With <c>--group</c> it commits only what it printed
/// (<see cref="PrintedOffsetCommitter"/>): at least once, duplicates only after the last commit.
/// </summary>
internal static class ConsumeCommand
{
    public static Command Create()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var topic = CommonOptions.Topic();
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the earliest offset instead of the end" };
        var group = new Option<string?>("--group") { Description = "Consumer group: subscribe (partitions shared with the group's other members); commits what was printed every auto.commit.interval.ms, on rebalance and on exit; rebalances are reported on stderr" };
        var maxMessages = new Option<long?>("--max-messages") { Description = "Exit after this many records" };
        var timeout = new Option<int?>("--timeout-ms") { Description = "Exit when no record arrived for this long" };
        var partition = new Option<int?>("--partition") { Description = "Read only this partition" };
        var offset = new Option<long?>("--offset") { Description = "Start offset (with --partition)" };
        var properties = CommonOptions.KeyValues("--property", "Formatter property k=v: " + string.Join(", ", RecordFormatter.PropertyNames));
        var consumerProperties = CommonOptions.KeyValues("--consumer-property", "Consumer config k=v (Kafka names)");
        var command = new Command("consume", "Print records of a topic") { bootstrap, topic, fromBeginning, group, maxMessages, timeout, partition, offset, properties, consumerProperties };
        command.SetAction(async (parse, ct) =>
        {
            var groupId = parse.GetValue(group);
            if (groupId is not null && (parse.GetValue(partition) is not null || parse.GetValue(offset) is not null))
            {
                throw new ArgumentException("--group cannot be combined with --partition or --offset");
            }

            if (parse.GetValue(offset) is not null && parse.GetValue(partition) is null)
            {
                throw new ArgumentException("--offset needs --partition");
            }

            var formatter = new RecordFormatter(ToolProperties.Parse(parse.GetValue(properties), RecordFormatter.PropertyNames));
            var name = parse.GetValue(topic)!;
            var consumerConfig = CommonOptions.ParseKeyValues(parse.GetValue(consumerProperties), "--consumer-property").WithLogLevel(parse);
            consumerConfig.TryAdd("bootstrap.servers", parse.GetValue(bootstrap)!);
            consumerConfig.TryAdd("client.id", "actorstream-cli");
            consumerConfig["auto.offset.reset"] = parse.GetValue(fromBeginning) ? "earliest" : consumerConfig.GetValueOrDefault("auto.offset.reset", "latest");
            if (groupId is not null)
            {
                consumerConfig["group.id"] = groupId;
                consumerConfig.TryAdd("enable.auto.commit", "false"); // commits what was printed (PrintedOffsetCommitter)
            }

            var config = ConsumerConfig.FromProperties(consumerConfig);
            List<TopicPartition> partitions;
            await using (var admin = CommonOptions.Admin(parse, bootstrap))
            {
                // Both ways fail at once on a topic the broker will not create, and wait on one it just created.
                partitions = await TopicResolver.PartitionsAsync(admin, name, parse.GetValue(partition), ct);
            }

            await using var consumer = new Consumer<byte[]?, byte[]?>(config, Deserializers.ByteArray, Deserializers.ByteArray);
            var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 64 * 1024) { AutoFlush = false };
            var committer = new PrintedOffsetCommitter(consumer, output, Console.Error, TimeSpan.FromMilliseconds(config.AutoCommitIntervalMs));
            if (groupId is not null)
            {
                consumer.Subscribe([name], committer);
            }
            else
            {
                consumer.Assign(partitions);
                if (parse.GetValue(offset) is { } start)
                {
                    consumer.Seek(partitions[0], start);
                }
            }

            var limit = parse.GetValue(maxMessages) ?? long.MaxValue;
            var idle = parse.GetValue(timeout) is { } ms ? TimeSpan.FromMilliseconds(ms) : Timeout.InfiniteTimeSpan;
            var lastRecord = DateTime.UtcNow;
            while (committer.Count < limit && !ct.IsCancellationRequested)
            {
                IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> records;
                try
                {
                    records = await consumer.PollAsync(TimeSpan.FromMilliseconds(200), ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    break; // SIGTERM or Ctrl+C: stop like --max-messages, committing what was printed
                }

                foreach (var record in records)
                {
                    formatter.Write(output, record);
                    committer.Printed(record.Topic, record.Partition, record.Offset);
                    if (committer.Count >= limit)
                    {
                        break;
                    }
                }

                if (records.Count > 0)
                {
                    lastRecord = DateTime.UtcNow;
                    await output.FlushAsync(CancellationToken.None);
                }
                else if (idle != Timeout.InfiniteTimeSpan && DateTime.UtcNow - lastRecord >= idle)
                {
                    break;
                }

                if (groupId is not null)
                {
                    await committer.CommitIfDueAsync(CancellationToken.None);
                }
            }

            await output.FlushAsync(CancellationToken.None);
            // Kafka's close timeout for the final commit and LeaveGroup together: a coordinator that is moving gets that
            // long to come back, and a dead one cannot hold the exit longer.
            var closeTimeout = Consumer<byte[]?, byte[]?>.DefaultCloseTimeout;
            var closeStarted = Stopwatch.GetTimestamp();
            if (groupId is not null)
            {
                // Exactly what was printed (a --max-messages stop may leave later records of the last poll unprinted).
                using var closing = new CancellationTokenSource(closeTimeout);
                await committer.CommitAssignedAsync(closing.Token);
            }

            var left = closeTimeout - Stopwatch.GetElapsedTime(closeStarted);
            await consumer.CloseAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);

            await Console.Error.WriteLineAsync($"Processed a total of {committer.Count} messages");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// kafka-console-consumer's DefaultMessageFormatter: optional timestamp, partition, offset, headers and key, then the
    /// value, each followed by key.separator.
    /// </summary>
    private sealed class RecordFormatter(ToolProperties properties)
    {
        public static readonly IReadOnlyList<string> PropertyNames =
        [
            "print.timestamp", "print.partition", "print.offset", "print.headers", "print.key", "print.value",
            "key.separator", "headers.separator", "headers.key.separator", "null.literal",
        ];

        private readonly bool _timestamp = properties.Flag("print.timestamp");
        private readonly bool _partition = properties.Flag("print.partition");
        private readonly bool _offset = properties.Flag("print.offset");
        private readonly bool _headers = properties.Flag("print.headers");
        private readonly bool _key = properties.Flag("print.key");
        private readonly bool _value = properties.Flag("print.value", fallback: true);
        private readonly string _separator = properties.String("key.separator", "\t");
        private readonly string _headersSeparator = properties.String("headers.separator", ",");
        private readonly string _headersKeySeparator = properties.String("headers.key.separator", ":");
        private readonly string _null = properties.String("null.literal", "null");

        public void Write(TextWriter output, ConsumeResult<byte[]?, byte[]?> record)
        {
            if (_timestamp)
            {
                output.Write($"CreateTime:{record.Timestamp}{_separator}");
            }

            if (_partition)
            {
                output.Write($"Partition:{record.Partition}{_separator}");
            }

            if (_offset)
            {
                output.Write($"Offset:{record.Offset}{_separator}");
            }

            if (_headers)
            {
                output.Write(record.Headers.Count == 0
                    ? "NO_HEADERS"
                    : string.Join(_headersSeparator, record.Headers.Select(h => h.Key + _headersKeySeparator + Text(h.Value))));
                output.Write(_separator);
            }

            if (_key)
            {
                output.Write(Text(record.Key));
                output.Write(_separator);
            }

            if (_value)
            {
                output.Write(Text(record.Value));
            }

            output.WriteLine();
        }

        private string Text(byte[]? bytes) => bytes is null ? _null : Encoding.UTF8.GetString(bytes);
    }
}
