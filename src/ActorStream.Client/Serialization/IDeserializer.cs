namespace ActorStream.Client.Serialization;

/// <summary>Turns record bytes back into a key or value; <paramref name="isNull"/> tells null from empty.</summary>
public interface IDeserializer<out T>
{
    T Deserialize(ReadOnlySpan<byte> data, bool isNull, string topic);
}
