using ActorStream.Client;
using System.CommandLine;
using ActorStream.Client.Admin;
using ActorStream.Protocol;

namespace ActorStream.Cli.Commands;

/// <summary><c>actorstream topics create|list|describe|delete</c>, like kafka-topics.sh.</summary>
internal static class TopicsCommand
{
    public static Command Create()
    {
        var command = new Command("topics", "Create, list, describe and delete topics");
        command.Subcommands.Add(CreateCommand());
        command.Subcommands.Add(ListCommand());
        command.Subcommands.Add(DescribeCommand());
        command.Subcommands.Add(AlterCommand());
        command.Subcommands.Add(ReassignCommand());
        command.Subcommands.Add(DeleteCommand());
        return command;
    }

    private static AdminClient Connect(ParseResult parse, Option<string> bootstrap) => CommonOptions.Admin(parse, bootstrap);

    private static Command CreateCommand()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var topic = CommonOptions.Topic();
        var partitions = new Option<int>("--partitions") { Description = "Number of partitions (default: the broker's num.partitions)", DefaultValueFactory = _ => -1 };
        var replication = new Option<short>("--replication-factor") { Description = "Replicas per partition (default: the broker's default.replication.factor)", DefaultValueFactory = _ => -1 };
        var configs = CommonOptions.KeyValues("--config", "Topic config k=v (repeatable), e.g. retention.ms=60000");
        var ifNotExists = new Option<bool>("--if-not-exists") { Description = "Succeed without changing anything when the topic already exists" };
        var command = new Command("create", "Create a topic") { bootstrap, topic, partitions, replication, configs, ifNotExists };
        command.SetAction(async (parse, ct) =>
        {
            await using var admin = Connect(parse, bootstrap);
            var name = parse.GetValue(topic)!;
            try
            {
                await admin.CreateTopicsAsync(name, parse.GetValue(partitions), parse.GetValue(replication), CommonOptions.ParseKeyValues(parse.GetValue(configs), "--config"), ct);
            }
            catch (ActorStreamException e) when (e.ErrorCode == ErrorCode.TopicAlreadyExists && parse.GetValue(ifNotExists))
            {
                // kafka-topics.sh --if-not-exists: nothing to do, and nothing printed (its partitions and configs are not compared).
                return 0;
            }

            Console.Out.WriteLine($"Created topic {name}.");
            return 0;
        });
        return command;
    }

    private static Command ListCommand()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var command = new Command("list", "List topic names, one per line") { bootstrap };
        command.SetAction(async (parse, ct) =>
        {
            await using var admin = Connect(parse, bootstrap);
            foreach (var name in (await admin.ListTopicsAsync(ct)).Order(StringComparer.Ordinal))
            {
                Console.Out.WriteLine(name);
            }

            return 0;
        });
        return command;
    }

    private static Command DescribeCommand()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var topic = CommonOptions.Topic(required: false);
        var command = new Command("describe", "Describe topics (all without --topic)") { bootstrap, topic };
        command.SetAction(async (parse, ct) =>
        {
            await using var admin = Connect(parse, bootstrap);
            var names = parse.GetValue(topic) is { } one ? [one] : await admin.ListTopicsAsync(ct);
            var descriptions = await admin.DescribeTopicsAsync(names, ct);
            // The brokers the leader ids below refer to, with their native and Kafka addresses.
            var cluster = await admin.DescribeClusterAsync(ct);
            Console.Out.WriteLine("Brokers: " + string.Join(
                "; ",
                cluster.Brokers.Select(b => $"{b.NodeId} {b.Host}:{b.Port} kafka {(b.KafkaListeners.Count == 0 ? "off" : string.Join(' ', b.KafkaListeners))}")));
            foreach (var description in descriptions)
            {
                var configs = string.Join(",", description.Configs.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
                var replicationFactor = description.Partitions.Count == 0 ? 0 : description.Partitions[0].Replicas.Count;
                Console.Out.WriteLine($"Topic: {description.Name}\tTopicId: {description.TopicId}\tPartitionCount: {description.Partitions.Count}\tReplicationFactor: {replicationFactor}\tConfigs: {configs}");
                foreach (var p in description.Partitions)
                {
                    Console.Out.WriteLine($"\tTopic: {description.Name}\tPartition: {p.Partition}\tLeader: {(p.Leader < 0 ? "none" : p.Leader)}\tReplicas: {string.Join(",", p.Replicas)}\tIsr: {string.Join(",", p.Isr)}");
                }
            }

            return 0;
        });
        return command;
    }

    private static Command AlterCommand()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var topic = CommonOptions.Topic();
        var partitions = new Option<int>("--partitions") { Description = "The new, larger number of partitions", Required = true };
        var command = new Command("alter", "Add partitions to a topic (kafka-topics.sh --alter --partitions)") { bootstrap, topic, partitions };
        command.SetAction(async (parse, ct) =>
        {
            await using var admin = Connect(parse, bootstrap);
            var name = parse.GetValue(topic)!;
            await admin.CreatePartitionsAsync(new Dictionary<string, int> { [name] = parse.GetValue(partitions) }, ct);
            Console.Out.WriteLine($"Topic {name} now has {parse.GetValue(partitions)} partitions.");
            return 0;
        });
        return command;
    }

    private static Command ReassignCommand()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var topic = CommonOptions.Topic();
        var partition = new Option<int>("--partition") { Description = "The partition to move", Required = true };
        var replicas = new Option<string>("--replicas") { Description = "The new replicas as node ids, preferred leader first, e.g. 2,0,1", Required = true };
        var command = new Command("reassign", "Move a partition's replicas to other nodes (kafka-reassign-partitions.sh)") { bootstrap, topic, partition, replicas };
        command.SetAction(async (parse, ct) =>
        {
            var nodes = parse.GetValue(replicas)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => int.TryParse(n, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : throw new ArgumentException($"--replicas: '{n}' is not a node id"))
                .ToList();
            await using var admin = Connect(parse, bootstrap);
            var tp = new TopicPartition(parse.GetValue(topic)!, parse.GetValue(partition));
            await admin.AlterPartitionReassignmentsAsync(new Dictionary<TopicPartition, IReadOnlyList<int>> { [tp] = nodes }, ct);
            Console.Out.WriteLine($"Reassignment of {tp.Topic}-{tp.Partition} to [{string.Join(',', nodes)}] started; it completes when the new replicas have caught up (topics describe).");
            return 0;
        });
        return command;
    }

    private static Command DeleteCommand()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var topic = CommonOptions.Topic();
        var command = new Command("delete", "Delete a topic and its data") { bootstrap, topic };
        command.SetAction(async (parse, ct) =>
        {
            await using var admin = Connect(parse, bootstrap);
            await admin.DeleteTopicsAsync([parse.GetValue(topic)!], ct);
            return 0;
        });
        return command;
    }
}
