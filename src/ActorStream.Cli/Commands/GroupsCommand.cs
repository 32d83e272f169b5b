using System.CommandLine;
using System.Globalization;
using ActorStream.Client.Admin;

namespace ActorStream.Cli.Commands;

/// <summary><c>actorstream groups list|describe|delete|reset-offsets</c>, like kafka-consumer-groups.sh.</summary>
internal static class GroupsCommand
{
    private static readonly string[] Header = ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID"];

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
        var command = new Command("list", "List group ids, one per line") { bootstrap };
        command.SetAction(async (parse, ct) =>
        {
            await using var admin = Connect(parse, bootstrap);
            foreach (var group in await admin.ListGroupsAsync(cancellationToken: ct))
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
        var command = new Command("describe", "Committed offsets, log end offsets and lag per partition") { bootstrap, group };
        command.SetAction(async (parse, ct) =>
        {
            await using var admin = Connect(parse, bootstrap);
            var description = await admin.DescribeGroupAsync(parse.GetValue(group)!, ct);
            var coordinator = description.CoordinatorId >= 0 ? $", coordinator node {description.CoordinatorId}" : "";
            await Console.Error.WriteLineAsync($"Group {description.GroupId} is {description.State} with {description.Members.Count} member(s), generation {description.GenerationId}{coordinator}.");
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
