using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ActorStream.Client;
using ActorStream.Client.Admin;
using ActorStream.Protocol;

namespace ActorStream.Cli.Commands;

/// <summary>
/// <c>actorstream groups reset-offsets</c>, like kafka-consumer-groups <c>--reset-offsets</c>: plans new committed
/// offsets (exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by) and prints them; only
/// with <c>--execute</c> are they applied. Like Kafka, the group must be inactive (no members) even for a dry run.
/// </summary>
internal static class ResetOffsetsCommand
{
    private static readonly string[] Header = ["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"];

    public static Command Create()
    {
        var bootstrap = CommonOptions.BootstrapServer();
        var group = GroupsCommand.Group();
        var topics = new Option<string[]>("--topic")
        {
            Description = "Topic to reset: 'topic' (every partition) or 'topic:0,2' (those partitions); repeatable",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var toEarliest = new Option<bool>("--to-earliest") { Description = "Reset to the log start offset" };
        var toLatest = new Option<bool>("--to-latest") { Description = "Reset to the log end offset" };
        var toOffset = new Option<long?>("--to-offset") { Description = "Reset to this offset (clamped to the log's start and end)" };
        var toDateTime = new Option<string?>("--to-datetime")
        {
            Description = "Reset to the first record at or after this ISO-8601 time, e.g. 2024-05-01T12:00:00Z (no zone: local time); "
                + "the log end offset when every record is older",
        };
        var shiftBy = new Option<long?>("--shift-by") { Description = "Move the committed offset by N (negative: back), clamped to the log's start and end" };
        var allTopics = new Option<bool>("--all-topics") { Description = "Reset every partition the group has a committed offset for (instead of --topic)" };
        var execute = new Option<bool>("--execute") { Description = "Apply the new offsets (without it: a dry run that only prints them)" };
        Option[] strategies = [toEarliest, toLatest, toOffset, toDateTime, shiftBy];
        var command = new Command("reset-offsets", "Reset a group's committed offsets (dry run unless --execute)")
        {
            bootstrap, group, topics, allTopics, toEarliest, toLatest, toOffset, toDateTime, shiftBy, execute,
        };
        command.Validators.Add(result =>
        {
            var given = strategies.Count(o => result.GetResult(o) is { Implicit: false });
            if (given != 1)
            {
                result.AddError($"reset-offsets needs exactly one of {string.Join(", ", strategies.Select(o => o.Name))} (got {given})");
            }

            if ((result.GetResult(topics) is { Implicit: false }) == (result.GetResult(allTopics) is { Implicit: false }))
            {
                result.AddError("reset-offsets needs either --topic or --all-topics");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var spec = parse.GetValue(toEarliest) ? OffsetResetSpec.ToEarliest()
                : parse.GetValue(toLatest) ? OffsetResetSpec.ToLatest()
                : parse.GetValue(toOffset) is { } offset ? OffsetResetSpec.ToOffset(offset)
                : parse.GetValue(toDateTime) is { } time ? OffsetResetSpec.ToDateTime(ParseDateTime(time))
                : OffsetResetSpec.ShiftBy(parse.GetValue(shiftBy)!.Value);
            var groupId = parse.GetValue(group)!;
            await using var admin = GroupsCommand.Connect(parse, bootstrap);
            await EnsureInactiveAsync(admin, groupId, ct);
            var selections = parse.GetValue(allTopics)
                ? await CommittedSelectionsAsync(admin, groupId, ct)
                : parse.GetValue(topics)!.Select(TopicPartitionSelection.Parse).ToList();
            var plan = await new OffsetResetPlanner(admin).PlanAsync(groupId, selections, spec, ct);
            if (parse.GetValue(execute))
            {
                await admin.AlterConsumerGroupOffsetsAsync(groupId, plan, ct);
                await Console.Error.WriteLineAsync($"Reset the offsets of group {groupId} ({spec}).");
            }
            else
            {
                await Console.Error.WriteLineAsync($"Dry run ({spec}): nothing changed. Add --execute to apply these offsets to group {groupId}.");
            }

            TextTable.Write(Console.Out, Header, plan
                .OrderBy(p => p.Key.Topic, StringComparer.Ordinal).ThenBy(p => p.Key.Partition)
                .Select(p => new[]
                {
                    groupId,
                    p.Key.Topic,
                    p.Key.Partition.ToString(CultureInfo.InvariantCulture),
                    p.Value.ToString(CultureInfo.InvariantCulture),
                }));
            return 0;
        });
        return command;
    }

    /// <summary>Kafka checks before planning, so a dry run fails as the real reset would; the coordinator checks again on --execute.</summary>
    private static async Task EnsureInactiveAsync(AdminClient admin, string groupId, CancellationToken cancellationToken)
    {
        var listing = (await admin.ListGroupsAsync(cancellationToken: cancellationToken)).FirstOrDefault(g => g.GroupId == groupId);
        if (listing is not null && listing.State is not ("Empty" or "Dead"))
        {
            throw new ActorStreamException(
                ErrorCode.NonEmptyGroup,
                $"Offsets of group '{groupId}' can only be reset while it is inactive, but it is {listing.State}: stop its consumers first");
        }
    }

    /// <summary>Kafka's --all-topics: the partitions the group has committed offsets for.</summary>
    private static async Task<List<TopicPartitionSelection>> CommittedSelectionsAsync(AdminClient admin, string groupId, CancellationToken cancellationToken)
    {
        var committed = await admin.ListConsumerGroupOffsetsAsync(groupId, cancellationToken: cancellationToken);
        if (committed.Count == 0)
        {
            throw new ArgumentException($"Group '{groupId}' has no committed offsets: name the topics with --topic");
        }

        return committed.Keys
            .GroupBy(tp => tp.Topic, StringComparer.Ordinal)
            .Select(g => new TopicPartitionSelection(g.Key, g.Select(tp => tp.Partition).Order().ToList()))
            .ToList();
    }

    private static DateTimeOffset ParseDateTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time)
            ? time
            : throw new FormatException($"--to-datetime '{text}' is not an ISO-8601 time such as 2024-05-01T12:00:00Z or 2024-05-01T12:00:00.000+02:00");
}
