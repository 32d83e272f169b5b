namespace ActorStream.Protocol;

/// <summary>
/// Marker of every message ActorStream sends between actor systems or stores in the journal. HOCON binds it to
/// <see cref="Serialization.ActorStreamSerializer"/>, so none of them falls back to the JSON serializer.
/// </summary>
public interface IActorStreamMessage : Google.Protobuf.IMessage
{
}
