using System.CommandLine;
using ActorStream.Client.Admin;
using ActorStream.Client.Config;

namespace ActorStream.Cli.Commands;

/// <summary><c>actorstream groups list|describe|delete</c>, like kafka-consumer-groups.sh.</summary>
internal static class GroupsCommand
{
    private static readonly string[] Header = ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID"];

    public static Command Create()
    {
        var command = new Command("groups", "List, describe and delete consumer groups");
        command.Subcommands.Add(ListCommand());
        command.Subcommands.Add(DescribeCommand());
        command.Subcommands.Add(DeleteCommand());
        return command;
    }

    private static AdminClient Connect(string bootstrap) => new(new AdminConfig { BootstrapServers = bootstrap, ClientId = "actorstream-cli" });

    private static Option<string> Group() => new("--group") { Description = "Consumer group id", Required = true };

    private static Command ListCommand()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var command = new Command("list", "List group ids, one per line") { bootstrap };
        command.SetAction(async (parse, ct) =>
        {
            await using var admin = Connect(parse.GetValue(bootstrap)!);
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
            await using var admin = Connect(parse.GetValue(bootstrap)!);
            var description = await admin.DescribeGroupAsync(parse.GetValue(group)!, ct);
            await Console.Error.WriteLineAsync($"Group {description.GroupId} is {description.State} with {description.Members.Count} member(s), generation {description.GenerationId}.");
            var rows = new List<string[]> { Header };
            rows.AddRange(description.Offsets.Select(o => new[]
            {
                description.GroupId,
                o.TopicPartition.Topic,
                o.TopicPartition.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture),
                o.CommittedOffset?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                o.LogEndOffset < 0 ? "-" : o.LogEndOffset.ToString(System.Globalization.CultureInfo.InvariantCulture),
                o.Lag?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                o.MemberId ?? "-",
            }));
            var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
            foreach (var row in rows)
            {
                Console.Out.WriteLine(string.Join(" ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
            }

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
            await using var admin = Connect(parse.GetValue(bootstrap)!);
            await admin.DeleteGroupsAsync([parse.GetValue(group)!], ct);
            await Console.Error.WriteLineAsync($"Deleted group {parse.GetValue(group)}.");
            return 0;
        });
        return command;
    }
}
