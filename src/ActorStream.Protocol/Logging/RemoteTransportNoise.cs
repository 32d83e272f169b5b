using Akka.Event;

namespace ActorStream.Protocol.Logging;

/// <summary>
/// Akka.Remote reports every dropped connection as a warning, and the endpoint writer's end as an error with a stack
/// trace: a client that exits normally, a broker a client was talking to that fails over, a bootstrap host that does not
/// resolve. ActorStream handles each of these (clients reconnect and retry, brokers watch group members), so they are
/// details, shown only at INFO or DEBUG. Oversized payloads, quarantines and serialization failures are not listed: they
/// stay warnings and errors.
/// </summary>
public static class RemoteTransportNoise
{
    private static readonly string[] MessagePrefixes =
    [
        "Association with remote system",
        "Tried to associate with unreachable remote address",
        "AssociationError",
        "Disassociated",
        "Remote system with address",
    ];

    private static readonly string[] CauseTypes =
    [
        "EndpointDisassociatedException",
        "InvalidAssociationException",
        "ShutDownAssociation",
    ];

    /// <summary>True for a warning or error that only says a remote connection dropped or could not be made.</summary>
    public static bool IsConnectionLoss(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (logEvent.LogLevel() < LogLevel.WarningLevel)
        {
            return false;
        }

        var message = logEvent.Message?.ToString() ?? "";
        if (MessagePrefixes.Any(p => message.StartsWith(p, StringComparison.Ordinal)))
        {
            return true;
        }

        for (var cause = logEvent.Cause; cause is not null; cause = cause.InnerException)
        {
            if (CauseTypes.Contains(cause.GetType().Name, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
