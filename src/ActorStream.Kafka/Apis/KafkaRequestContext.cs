using System.Net;
using ActorStream.Kafka.Hosting;
using ActorStream.Kafka.Protocol;

namespace ActorStream.Kafka.Apis;

/// <summary>What a handler knows about one request: its header, the listener it arrived on, who sent it, the node.</summary>
internal sealed record KafkaRequestContext(
    RequestHeader Header,
    KafkaListenerInfo Listener,
    EndPoint? RemoteEndPoint,
    KafkaGatewayServices Services);
