using System.CommandLine;
using Akka.Actor;
using Akka.Configuration;
using ActorStream.Broker.Hosting;

namespace ActorStream.Cli.Commands;

/// <summary>
/// <c>actorstream diagnostics</c> (hidden): checks of the installation rather than of a cluster.
/// <c>journal-stress write</c> has persistent actors write events to a metadata journal with the broker's own journal
/// configuration; several writer processes on one SQLite file prove that nodes on one host may share it.
/// <c>journal-stress verify</c> replays them and checks that every event is there exactly once, in order.
/// </summary>
internal static class DiagnosticsCommand
{
    /// <summary>Upper bound of one run, so a wedged journal ends the process instead of hanging it.</summary>
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    public static Command Create()
    {
        var stress = new Command("journal-stress", "Write events to a metadata journal from several processes, then verify them") { Write(), Verify() };
        return new Command("diagnostics", "Installation checks") { Hidden = true, Subcommands = { stress } };
    }

    private static Option<string> JournalOption() => new("--journal") { Description = "Metadata journal: sqlite:PATH or postgres:CONNSTR", Required = true };

    private static Option<int> ActorsOption() => new("--actors") { Description = "Persistent actors per writer", DefaultValueFactory = _ => 4 };

    private static Option<int> EventsOption() => new("--events") { Description = "Events per persistent actor", DefaultValueFactory = _ => 200 };

    private static Command Write()
    {
        var journal = JournalOption();
        var writerId = new Option<string>("--writer-id") { Description = "This writer's id: part of its persistence ids, unique per run", Required = true };
        var actors = ActorsOption();
        var events = EventsOption();
        var command = new Command("write", "Persist --events events from each of --actors persistent actors") { journal, writerId, actors, events };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ids = PersistenceIds(parse.GetRequiredValue(writerId), Positive(parse.GetValue(actors), "--actors")).ToList();
            var count = Positive(parse.GetValue(events), "--events");
            var system = Start(parse.GetRequiredValue(journal));
            try
            {
                var writers = ids.Select(id =>
                {
                    var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                    system.ActorOf(JournalStressWriter.Props(id, count, done), id);
                    return done.Task;
                }).ToList();
                await Task.WhenAll(writers).WaitAsync(RunTimeout, cancellationToken);
                Console.Out.WriteLine($"wrote {ids.Count * count} events: {count} under each of {string.Join(", ", ids)}");
                return 0;
            }
            finally
            {
                await system.Terminate();
            }
        });
        return command;
    }

    private static Command Verify()
    {
        var journal = JournalOption();
        var writerIds = new Option<string[]>("--writer-id") { Description = "Id of a writer to check (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var actors = ActorsOption();
        var events = EventsOption();
        var command = new Command("verify", "Replay every writer's persistence ids and check each holds events 1..N exactly once, in order") { journal, writerIds, actors, events };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var actorCount = Positive(parse.GetValue(actors), "--actors");
            var ids = parse.GetRequiredValue(writerIds).SelectMany(w => PersistenceIds(w, actorCount)).ToList();
            var count = Positive(parse.GetValue(events), "--events");
            var system = Start(parse.GetRequiredValue(journal));
            try
            {
                var problems = new List<string>();
                foreach (var id in ids)
                {
                    var replayed = new TaskCompletionSource<IReadOnlyList<(long SequenceNr, string Event)>>(TaskCreationOptions.RunContinuationsAsynchronously);
                    system.ActorOf(JournalStressReader.Props(id, replayed), id);
                    problems.AddRange(Check(id, await replayed.Task.WaitAsync(RunTimeout, cancellationToken), count));
                }

                foreach (var problem in problems)
                {
                    await Console.Error.WriteLineAsync(problem);
                }

                if (problems.Count > 0)
                {
                    return 1;
                }

                Console.Out.WriteLine($"verified {ids.Count * count} events: {count} under each of {ids.Count} persistence ids, each once and in order");
                return 0;
            }
            finally
            {
                await system.Terminate();
            }
        });
        return command;
    }

    /// <summary>The differences between a replay and events 1..<paramref name="count"/> (empty when they match).</summary>
    private static IEnumerable<string> Check(string persistenceId, IReadOnlyList<(long SequenceNr, string Event)> replayed, int count)
    {
        if (replayed.Count != count)
        {
            yield return $"{persistenceId}: {replayed.Count} events replayed, {count} expected";
        }

        for (var i = 0; i < replayed.Count; i++)
        {
            var expected = JournalStressWriter.EventText(persistenceId, i + 1);
            if (replayed[i].SequenceNr != i + 1 || replayed[i].Event != expected)
            {
                yield return $"{persistenceId}: replayed #{i + 1} is sequence number {replayed[i].SequenceNr} '{replayed[i].Event}', expected {i + 1} '{expected}'";
            }
        }
    }

    private static IEnumerable<string> PersistenceIds(string writerId, int actors) =>
        Enumerable.Range(0, actors).Select(a => $"journal-stress-{writerId}-{a}");

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new ArgumentException($"{option} must be positive, got {value}");

    /// <summary>
    /// A local (non-cluster) ActorSystem with the broker's complete configuration, so the journal is configured exactly as a
    /// node's (<see cref="BrokerConfig.Build"/>, <see cref="JournalSettings"/>), and the file prepared as a node prepares it.
    /// </summary>
    private static ActorSystem Start(string journal)
    {
        var overrides = ConfigurationFactory.ParseString($$"""
            actorstream.broker.journal = {{Quote(journal)}}
            akka.actor.provider = local
            akka.loglevel = WARNING
            """);
        var config = BrokerConfig.Build(overrides, userConfig: null, profile: "single-node");
        JournalSettings.Parse(journal, dataDir: ".").Prepare();
        return ActorSystem.Create("journal-stress", config);
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
