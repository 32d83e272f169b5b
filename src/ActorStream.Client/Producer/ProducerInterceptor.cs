using ActorStream.Protocol.Client;

namespace ActorStream.Client.Producer;

/// <summary>
/// Test hook on the wire between node batch actors and brokers: observe every produce request, drop requests or
/// responses to simulate losses. Called on the node batch actor's thread; keep it cheap and thread-safe.
/// </summary>
internal sealed class ProducerInterceptor
{
    /// <summary>Sees every request (node id, request) before it is sent or dropped.</summary>
    public Action<int, ProduceRequest>? OnRequest { get; init; }

    /// <summary>Returns false to drop a request instead of sending it (as if the network lost it).</summary>
    public Func<int, ProduceRequest, bool>? ShouldSend { get; init; }

    /// <summary>Returns false to drop a response (as if the reply was lost): the request then times out.</summary>
    public Func<ProduceResponse, bool>? ShouldDeliver { get; init; }
}
