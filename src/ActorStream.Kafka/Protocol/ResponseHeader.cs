namespace ActorStream.Kafka.Protocol;

/// <summary>
/// Kafka's response header: v0 the correlation id, v1 (flexible response versions) adds tagged fields. The
/// ApiVersions response always uses v0, whatever its version, so that a client can read it before it knows which
/// versions the broker speaks.
/// </summary>
public static class ResponseHeader
{
    private const short ApiVersionsKey = 18;

    public static short VersionFor(short apiKey, bool flexibleResponse) =>
        apiKey == ApiVersionsKey || !flexibleResponse ? (short)0 : (short)1;

    public static void Write(ref KafkaWriter writer, int correlationId, short headerVersion)
    {
        writer.WriteInt32(correlationId);
        if (headerVersion >= 1)
        {
            writer.WriteUnsignedVarint(0);
        }
    }

    /// <summary>Reads a response header and returns its correlation id.</summary>
    public static int Read(ref KafkaReader reader, short headerVersion)
    {
        var correlationId = reader.ReadInt32();
        if (headerVersion >= 1)
        {
            reader.SkipTaggedFields();
        }

        return correlationId;
    }
}
