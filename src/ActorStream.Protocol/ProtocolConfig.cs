using Akka.Configuration;

namespace ActorStream.Protocol;

/// <summary>The embedded <c>reference.conf</c> of this module (serializer bindings).</summary>
public static class ProtocolConfig
{
    public static Config Default { get; } = ConfigurationFactory.FromResource<Serialization.ActorStreamSerializer>("ActorStream.Protocol.reference.conf");
}
