namespace ActorStream.Client.Serialization;

/// <summary>Turns a key or value into bytes; null means a null key or value on the wire.</summary>
public interface ISerializer<in T>
{
    byte[]? Serialize(T? data, string topic);
}
