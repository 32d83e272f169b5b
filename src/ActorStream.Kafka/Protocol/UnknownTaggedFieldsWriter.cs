namespace ActorStream.Kafka.Protocol;

/// <summary>
/// Writes a message's unknown tagged fields in between its known ones, so that every tag goes out in ascending order
/// (Kafka's rule) and a decoded message is re-encoded byte for byte.
/// </summary>
public struct UnknownTaggedFieldsWriter(List<TaggedField>? unknown)
{
    private int _next;

    /// <summary>Writes the unknown fields whose tag is below <paramref name="tag"/> that are not written yet.</summary>
    public void WriteBefore(ref KafkaWriter writer, int tag)
    {
        if (unknown is null)
        {
            return;
        }

        while (_next < unknown.Count && unknown[_next].Tag < tag)
        {
            var field = unknown[_next++];
            writer.WriteUnsignedVarint((uint)field.Tag);
            writer.WriteUnsignedVarint((uint)field.Data.Length);
            writer.WriteRaw(field.Data);
        }
    }
}
