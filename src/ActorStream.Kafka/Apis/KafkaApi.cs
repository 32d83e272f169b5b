using System.Buffers;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// One Kafka API the gateway serves (one file per API key, as franz-go's kfake): its key, the versions it answers
/// (ApiVersions advertises exactly these), and how a request of it is handled.
/// </summary>
internal abstract class KafkaApi
{
    public abstract short Key { get; }

    public abstract short MinVersion { get; }

    public abstract short MaxVersion { get; }

    /// <summary>What a user of the API should know: what is mapped onto what, what is not supported.</summary>
    public virtual string Notes => "";

    /// <summary>
    /// Whether a request of this API may start while earlier requests on its connection are still in flight (the
    /// answers stay in arrival order). Only for an API whose handler sends whatever must stay ordered (Produce's
    /// batches) before its first await, since the next request is read once it awaits.
    /// </summary>
    public virtual bool Pipelined => false;

    /// <summary>Whether a request of this version is handled; the listener closes the connection otherwise, as Kafka does.</summary>
    public virtual bool Accepts(short version) => version >= MinVersion && version <= MaxVersion;

    public abstract short RequestHeaderVersion(short version);

    public abstract short ResponseHeaderVersion(short version);

    /// <summary>
    /// Decodes the request body (after the header), handles it, and writes the response header and body to
    /// <paramref name="output"/>. False: no response is sent (Produce with acks=0).
    /// </summary>
    public abstract ValueTask<bool> HandleAsync(KafkaRequestContext context, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, CancellationToken cancellationToken);
}

/// <summary>A <see cref="KafkaApi"/> over its generated request and response messages.</summary>
internal abstract class KafkaApi<TRequest, TResponse> : KafkaApi
    where TRequest : IKafkaMessage<TRequest>
    where TResponse : IKafkaMessage<TResponse>
{
    public override short Key => TRequest.MessageApiKey;

    public override short RequestHeaderVersion(short version) => RequestHeader.VersionFor(TRequest.IsFlexible(version));

    public override short ResponseHeaderVersion(short version) => ResponseHeader.VersionFor(Key, TResponse.IsFlexible(version));

    public sealed override async ValueTask<bool> HandleAsync(KafkaRequestContext context, ReadOnlyMemory<byte> body, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        var request = Decode(body, version);
        var response = await HandleAsync(context, request, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return false;
        }

        Encode(context, response, output);
        return true;
    }

    /// <summary>Handles one decoded request; null sends no response.</summary>
    protected abstract ValueTask<TResponse?> HandleAsync(KafkaRequestContext context, TRequest request, CancellationToken cancellationToken);

    /// <summary>The version the response is written in; the request's version except where an API says otherwise.</summary>
    protected virtual short ResponseVersion(KafkaRequestContext context) => context.Header.ApiVersion;

    private static TRequest Decode(ReadOnlyMemory<byte> body, short version)
    {
        var reader = new KafkaReader(body);
        return TRequest.Read(ref reader, version);
    }

    private void Encode(KafkaRequestContext context, TResponse response, IBufferWriter<byte> output)
    {
        var version = ResponseVersion(context);
        var writer = new KafkaWriter(output);
        ResponseHeader.Write(ref writer, context.Header.CorrelationId, ResponseHeaderVersion(version));
        response.Write(ref writer, version);
    }
}
