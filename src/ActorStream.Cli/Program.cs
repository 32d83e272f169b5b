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
            // On SIGTERM / Ctrl+C a command gets this long to finish (System.CommandLine's default is 2 s, which cut
            // consume's final commit and LeaveGroup short); consume bounds its own close by the consumer's close timeout.
            var configuration = new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = Client.Consumer.Consumer<byte[], byte[]>.DefaultCloseTimeout + TimeSpan.FromSeconds(5),
            };
            return await root.Parse(args).InvokeAsync(configuration);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }
}
