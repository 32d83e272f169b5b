using System.CommandLine;
using System.Globalization;
using ActorStream.Client.Admin;

namespace ActorStream.Cli.Commands;

/// <summary><c>actorstream groups list|describe|delete|reset-offsets</c>, like kafka-consumer-groups.sh.</summary>
internal static class GroupsCommand
{
    private static readonly string[] Header = ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID"];
    private static readonly string[] MembersHeader = ["GROUP", "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST", "CLIENT-ID", "#PARTITIONS", "TOPICS", "ASSIGNMENT"];

    public static Command Create()
    {
        var command = new Command("groups", "List, describe, delete consumer groups and reset their offsets");
        command.Subcommands.Add(ListCommand());
        command.Subcommands.Add(DescribeCommand());
        command.Subcommands.Add(DeleteCommand());
        command.Subcommands.Add(ResetOffsetsCommand.Create());
        return command;
    }

    internal static AdminClient Connect(ParseResult parse, Option<string> bootstrap) => CommonOptions.Admin(parse, bootstrap);

    internal static Option<string> Group() => new("--group") { Description = "Consumer group id", Required = true };

    private static Command ListCommand()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var state = new Option<bool>("--state")
        {
            Description = "Also print each group's state and protocol: native, classic (native clients) or kafka (Kafka clients), and the protocol type Kafka's tools see",
        };
        var command = new Command("list", "List group ids, one per line") { bootstrap, state };
        command.SetAction(async (parse, ct) =>
        {
            await using var admin = Connect(parse, bootstrap);
            var groups = await admin.ListGroupsAsync(cancellationToken: ct);
            if (parse.GetValue(state))
            {
                TextTable.Write(Console.Out, ["GROUP", "STATE", "PROTOCOL", "PROTOCOL-TYPE"], groups.Select(g => new[]
                {
                    g.GroupId, g.State, g.ProtocolType.Length == 0 ? "-" : g.ProtocolType, g.KafkaProtocolType,
                }));
                return 0;
            }

            foreach (var group in groups)
            {
                Console.Out.WriteLine(group.GroupId);
            }

            return 0;
        });
        return command;
    }

    private static Command DescribeCommand()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var group = Group();
        var members = new Option<bool>("--members") { Description = "List the members (host, client id, topics, assigned partitions) instead of the offsets" };
        var command = new Command("describe", "Committed offsets, log end offsets and lag per partition") { bootstrap, group, members };
        command.SetAction(async (parse, ct) =>
        {
            await using var admin = Connect(parse, bootstrap);
            var description = await admin.DescribeGroupAsync(parse.GetValue(group)!, ct);
            var coordinator = description.CoordinatorId >= 0 ? $", coordinator node {description.CoordinatorId}" : "";
            var protocol = description.ProtocolType.Length == 0 ? "" : $", protocol {description.ProtocolType}"
                + (description.ProtocolName is { } name ? $" ({name})" : "");
            await Console.Error.WriteLineAsync(
                $"Group {description.GroupId} is {description.State} with {description.Members.Count} member(s), generation {description.GenerationId}{protocol}{coordinator}.");
            if (parse.GetValue(members))
            {
                TextTable.Write(Console.Out, MembersHeader, description.Members.Select(m => new[]
                {
                    description.GroupId,
                    m.MemberId,
                    m.GroupInstanceId ?? "-",
                    m.ClientHost.Length == 0 ? "-" : m.ClientHost,
                    m.ClientId.Length == 0 ? "-" : m.ClientId,
                    m.Assignment.Count.ToString(CultureInfo.InvariantCulture),
                    m.Topics.Count == 0 ? "-" : string.Join(",", m.Topics),
                    m.Assignment.Count == 0 ? "-" : string.Join(",", m.Assignment
                        .GroupBy(tp => tp.Topic, StringComparer.Ordinal)
                        .OrderBy(g => g.Key, StringComparer.Ordinal)
                        .Select(g => $"{g.Key}({string.Join(",", g.Select(tp => tp.Partition).Order())})")),
                }));
                return 0;
            }

            TextTable.Write(Console.Out, Header, description.Offsets.Select(o => new[]
            {
                description.GroupId,
                o.TopicPartition.Topic,
                o.TopicPartition.Partition.ToString(CultureInfo.InvariantCulture),
                o.CommittedOffset?.ToString(CultureInfo.InvariantCulture) ?? "-",
                o.LogEndOffset < 0 ? "-" : o.LogEndOffset.ToString(CultureInfo.InvariantCulture),
                o.Lag?.ToString(CultureInfo.InvariantCulture) ?? "-",
                o.MemberId ?? "-",
            }));
            return 0;
        });
        return command;
    }

    private static Command DeleteCommand()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var group = Group();
        var command = new Command("delete", "Delete a group without members, and its committed offsets") { bootstrap, group };
        command.SetAction(async (parse, ct) =>
        {
            await using var admin = Connect(parse, bootstrap);
            await admin.DeleteGroupsAsync([parse.GetValue(group)!], ct);
            await Console.Error.WriteLineAsync($"Deleted group {parse.GetValue(group)}.");
            return 0;
        });
        return command;
    }
}
