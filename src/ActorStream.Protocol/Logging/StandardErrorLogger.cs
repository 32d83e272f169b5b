using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace ActorStream.Protocol.Logging;

/// <summary>
/// The logger of every ActorStream actor system (<c>akka.loggers</c>): writes log events to standard error, so standard
/// output carries only what the program prints (a node's ready line, the CLI's records, topic lists, perf lines). Remote
/// connection losses (<see cref="RemoteTransportNoise"/>) are shown only when <c>akka.loglevel</c> is INFO or DEBUG.
/// </summary>
public sealed class StandardErrorLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public StandardErrorLogger()
    {
        var showConnectionLosses = Akka.Event.Logging.LogLevelFor(Context.System.Settings.LogLevel) <= LogLevel.InfoLevel;
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            if (showConnectionLosses || !RemoteTransportNoise.IsConnectionLoss(e))
            {
                Console.Error.WriteLine(e.ToString());
            }
        });
    }
}
