using System.CommandLine;
using System.Runtime.InteropServices;
using Akka.Configuration;
using ActorStream.Broker.Hosting;
using ActorStream.Kafka.Hosting;

namespace ActorStream.Cli.Commands;

/// <summary><c>actorstream node start</c>: runs one broker node until SIGTERM or Ctrl-C.</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "HOCON file with overrides (actorstream.broker.*, akka.*)" };
        var data = new Option<string?>("--data") { Description = "Data directory (default ./data)" };
        var journal = new Option<string?>("--journal") { Description = "Metadata journal: sqlite:PATH (default sqlite:<data>/metadata.db) or postgres:CONNSTR (env ACTORSTREAM_JOURNAL or ACTORSTREAM_JOURNAL_FILE)" };
        var port = new Option<int?>("--port") { Description = "Akka.Remote port clients bootstrap from (default 4053; 0: any free port, the bound one is advertised)" };
        var kafkaPort = new Option<int?>("--kafka-port") { Description = "Kafka wire-protocol port of the PLAINTEXT listener when no listeners are configured (default 9092; 0: any free port)" };
        var kafkaListeners = new Option<string?>("--kafka-listeners")
        {
            Description = "Kafka's listeners: NAME://host:port,... e.g. INTERNAL://0.0.0.0:9092,EXTERNAL://:29092 (empty host: the bind host; env ACTORSTREAM_KAFKA_LISTENERS)",
        };
        var kafkaAdvertisedListeners = new Option<string?>("--kafka-advertised-listeners")
        {
            Description = "Kafka's advertised.listeners: NAME://host:port,... what clients of each listener dial (default: the listener's host, or --host; env ACTORSTREAM_KAFKA_ADVERTISED_LISTENERS)",
        };
        var host = new Option<string?>("--host") { Description = "Canonical host name clients and other nodes reach this node by (default 127.0.0.1; env ACTORSTREAM_HOST)" };
        var bindHost = new Option<string?>("--bind-host") { Description = "Address to bind to, e.g. 0.0.0.0 (default: the host; env ACTORSTREAM_BIND_HOST)" };
        var nodeId = new Option<int?>("--node-id") { Description = "Node id (default 0)" };
        var acceptEmptyDataDir = new Option<bool>("--accept-empty-data-dir")
        {
            Description = "Start even though the data dir has no meta.properties while the journal knows this node id (its logs are rebuilt from the other replicas)",
        };
        var seeds = new Option<string[]>("--seed") { Description = "host:port of a seed node (repeatable); without it the node forms a single-node cluster", AllowMultipleArgumentsPerToken = true };

        var start = new Command("start", "Run a broker node") { config, data, journal, port, kafkaPort, kafkaListeners, kafkaAdvertisedListeners, host, bindHost, nodeId, seeds, acceptEmptyDataDir };
        start.SetAction(async (parse, cancellationToken) =>
        {
            var seedList = parse.GetValue(seeds) ?? [];
            var overrides = new List<string>();
            void Set(string key, string? value)
            {
                if (value is not null)
                {
                    overrides.Add($"actorstream.broker.{key} = {Quote(value)}");
                }
            }

            Set("data-dir", parse.GetValue(data));
            Set("journal", parse.GetValue(journal));
            Set("port", parse.GetValue(port)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Set("kafka-port", parse.GetValue(kafkaPort)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (parse.GetValue(kafkaListeners) is { } listeners)
            {
                overrides.Add($"actorstream.kafka.listeners = {Quote(listeners)}");
            }

            if (parse.GetValue(kafkaAdvertisedListeners) is { } advertised)
            {
                overrides.Add($"actorstream.kafka.advertised-listeners = {Quote(advertised)}");
            }

            Set("host", parse.GetValue(host));
            Set("bind-host", parse.GetValue(bindHost));
            Set("node-id", parse.GetValue(nodeId)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (parse.GetValue(acceptEmptyDataDir))
            {
                overrides.Add("actorstream.broker.accept-empty-data-dir = on");
            }

            if (LogLevelOption.Get(parse) is { } logLevel)
            {
                overrides.Add($"akka.loglevel = {logLevel}");
            }

            if (seedList.Length > 0)
            {
                overrides.Add("akka.cluster.seed-nodes = [" + string.Join(", ", seedList.Select(s => Quote($"akka.tcp://{BrokerNode.SystemName}@{s}"))) + "]");
            }

            var userConfig = parse.GetValue(config) is { } file ? ConfigurationFactory.ParseString(await File.ReadAllTextAsync(file.FullName, cancellationToken)) : null;
            var flagsAndEnvironment = ConfigurationFactory.ParseString(string.Join("\n", overrides)).WithFallback(BrokerEnvironment.FromProcess());
            var fullConfig = KafkaConfig.WithDefaults(BrokerConfig.Build(flagsAndEnvironment, userConfig, seedList.Length > 0 ? "cluster-node" : "single-node"));
            var node = await BrokerNode.StartAsync(fullConfig, KafkaGateway.For(fullConfig), cancellationToken);
            var journalDescription = JournalSettings.Parse(node.Settings.Journal, node.Settings.DataDir).Description;
            Console.Out.WriteLine($"ActorStream node {node.Settings.NodeId} of cluster {node.ClusterId} is up: bootstrap {node.BootstrapAddress}, kafka {KafkaListeners(node)}, data {node.Settings.DataDir}, journal {journalDescription}");

            var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stopping.TrySetResult();
            });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                context.Cancel = true;
                stopping.TrySetResult();
            });
            await Task.WhenAny(stopping.Task, node.System.WhenTerminated);
            Console.Out.WriteLine("Stopping: leaving the cluster and closing partition logs");
            await node.StopAsync();
            return 0;
        });

        return new Command("node", "Broker node commands") { start };
    }

    /// <summary>The ready line's Kafka listeners: <c>PLAINTEXT://host:port</c>, several separated by a space; <c>off</c> without the gateway.</summary>
    private static string KafkaListeners(BrokerNode node) =>
        node.AdvertisedListeners.Count == 0 ? "off" : string.Join(' ', node.AdvertisedListeners);

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
