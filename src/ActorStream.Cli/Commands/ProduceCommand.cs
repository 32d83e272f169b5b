using System.CommandLine;
using ActorStream.Client;
using ActorStream.Client.Config;
using ActorStream.Client.Producer;
using ActorStream.Client.Serialization;

namespace ActorStream.Cli.Commands;

/// <summary>
/// <c>actorstream produce</c>, like kafka-console-producer: one record per line of standard input. Exits non-zero
/// when any record was not acknowledged.
/// </summary>
internal static class ProduceCommand
{
    /// <summary>kafka-console-producer's LineMessageReader properties that apply here.</summary>
    private static readonly string[] ReaderProperties = ["parse.key", "key.separator"];

    public static Command Create()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var topic = CommonOptions.Topic();
        var properties = CommonOptions.KeyValues("--property", "Reader property k=v: parse.key=true, key.separator=<TAB> (others are refused)");
        var producerProperties = CommonOptions.KeyValues("--producer-property", "Producer config k=v (Kafka names), e.g. acks=all, linger.ms=5");
        var command = new Command("produce", "Send lines of standard input as records") { bootstrap, topic, properties, producerProperties };
        command.SetAction(async (parse, ct) =>
        {
            var reader = ToolProperties.Parse(parse.GetValue(properties), ReaderProperties);
            var parseKey = reader.Flag("parse.key");
            var separator = reader.String("key.separator", "\t");
            var config = ProducerConfigFor(parse.GetValue(bootstrap)!, CommonOptions.ParseKeyValues(parse.GetValue(producerProperties), "--producer-property").WithLogLevel(parse));
            var name = parse.GetValue(topic)!;

            await using var producer = new Producer<string, string>(config, Serializers.Utf8, Serializers.Utf8);
            var sends = new List<Task<RecordMetadata>>();
            while (await Console.In.ReadLineAsync(ct) is { } line)
            {
                string? key = null;
                var value = line;
                if (parseKey)
                {
                    var at = line.IndexOf(separator, StringComparison.Ordinal);
                    if (at < 0)
                    {
                        throw new ArgumentException($"No key separator in line {sends.Count + 1}: '{line}'");
                    }

                    key = line[..at];
                    value = line[(at + separator.Length)..];
                }

                sends.Add(producer.ProduceAsync(name, key, value, cancellationToken: ct));
            }

            await producer.FlushAsync(ct);
            var failed = new List<string>();
            for (var line = 0; line < sends.Count; line++)
            {
                try
                {
                    await sends[line];
                }
                catch (ActorStreamException e)
                {
                    failed.Add($"line {line + 1}: {e.Message}");
                }
            }

            if (failed.Count > 0)
            {
                const int Named = 5;
                var more = failed.Count > Named ? $"; and {failed.Count - Named} more" : "";
                await Console.Error.WriteLineAsync($"error: {failed.Count} of {sends.Count} records were not acknowledged: {string.Join("; ", failed.Take(Named))}{more}");
                return 1;
            }

            return 0;
        });
        return command;
    }

    public static ProducerConfig ProducerConfigFor(string bootstrap, Dictionary<string, string> properties)
    {
        properties.TryAdd("bootstrap.servers", bootstrap);
        properties.TryAdd("client.id", "actorstream-cli");
        return ProducerConfig.FromProperties(properties);
    }
}
