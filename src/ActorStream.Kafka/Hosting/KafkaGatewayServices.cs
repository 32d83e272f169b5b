using Akka.Actor;
using ActorStream.Broker;

namespace ActorStream.Kafka.Hosting;

/// <summary>
/// What handlers use to serve a request: the node's endpoint actor (<c>/user/broker</c>, Asked in process with the same
/// messages the native client sends), the node's settings and identity.
/// </summary>
internal sealed record KafkaGatewayServices(
    ActorSystem System,
    IActorRef BrokerEndpoint,
    BrokerSettings Settings,
    string ClusterId)
{
    public int NodeId => Settings.NodeId;

    public TimeSpan RequestTimeout => Settings.RequestTimeout;
}
