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
            // On SIGTERM / Ctrl+C a command gets this long to finish (System.CommandLine's default is 2 s, which cut
            // consume's final commit and LeaveGroup short); consume bounds its own close by the consumer's close timeout.
            var configuration = new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = Client.Consumer.Consumer<byte[], byte[]>.DefaultCloseTimeout + TimeSpan.FromSeconds(5),
            };
            return await parse.InvokeAsync(configuration);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync("error: " + CliErrors.FromException(e));
            return 1;
        }
    }
}
