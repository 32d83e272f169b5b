using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace ActorStream.Client.Connection;

/// <summary>
/// Writes the client actor system's log events to standard error, so a client's standard output carries only
/// what the application prints (the CLI's consumed records, topic lists, perf lines).
/// </summary>
public sealed class StandardErrorLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public StandardErrorLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Console.Error.WriteLine(e.ToString()));
    }
}
