namespace ActorStream.Kafka.Protocol;

/// <summary>
/// Kafka's request header. v1: api key, api version, correlation id, client id; v2 (flexible request versions) adds
/// tagged fields but keeps the client id a non-compact nullable string, the one special case of the header.
/// </summary>
public sealed record RequestHeader(short ApiKey, short ApiVersion, int CorrelationId, string? ClientId)
{
    /// <summary>The fixed prefix every header version starts with: api key, api version, correlation id.</summary>
    public const int FixedPrefixSize = 8;

    /// <summary>The request header version for a request version: 2 when the request version is flexible, else 1.</summary>
    public static short VersionFor(bool flexibleRequest) => flexibleRequest ? (short)2 : (short)1;

    public static RequestHeader Read(ref KafkaReader reader, short headerVersion)
    {
        var apiKey = reader.ReadInt16();
        var apiVersion = reader.ReadInt16();
        var correlationId = reader.ReadInt32();
        string? clientId = null;
        if (headerVersion >= 1)
        {
            clientId = reader.ReadNullableString(compact: false);
        }

        if (headerVersion >= 2)
        {
            reader.SkipTaggedFields();
        }

        return new RequestHeader(apiKey, apiVersion, correlationId, clientId);
    }

    public void Write(ref KafkaWriter writer, short headerVersion)
    {
        writer.WriteInt16(ApiKey);
        writer.WriteInt16(ApiVersion);
        writer.WriteInt32(CorrelationId);
        if (headerVersion >= 1)
        {
            writer.WriteNullableString(ClientId, compact: false);
        }

        if (headerVersion >= 2)
        {
            writer.WriteUnsignedVarint(0);
        }
    }
}
