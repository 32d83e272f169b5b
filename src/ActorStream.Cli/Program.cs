using System.CommandLine;
using ActorStream.Cli.Commands;

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

        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }
}
