using ActorStream.Protocol;

namespace ActorStream.Broker.Hosting;

/// <summary>The controller refused this node's registration (e.g. DUPLICATE_BROKER_REGISTRATION); the node does not start.</summary>
public sealed class NodeRegistrationRefusedException(ErrorCode errorCode, string message) : InvalidOperationException(message)
{
    public ErrorCode ErrorCode { get; } = errorCode;
}
