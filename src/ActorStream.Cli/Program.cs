using System.CommandLine;
using System.CommandLine.Invocation;
using ActorStream.Cli.Commands;
using ActorStream.Cli.Errors;

namespace ActorStream.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("ActorStream: a Kafka-class distributed commit log on Akka.NET")
        {
            NodeCommand.Create(),
            TopicsCommand.Create(),
            ProduceCommand.Create(),
            ConsumeCommand.Create(),
            GroupsCommand.Create(),
            PerfCommand.Create(),
            DiagnosticsCommand.Create(),
        };
        root.Options.Add(LogLevelOption.Instance);

        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            // One line on stderr, as the README promises, instead of System.CommandLine's error list and help on stdout.
            await Console.Error.WriteLineAsync("error: " + CliErrors.FromParse(parse));
            return 1;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync("error: " + CliErrors.FromException(e));
            return 1;
        }
    }
}
