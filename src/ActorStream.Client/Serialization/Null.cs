namespace ActorStream.Client.Serialization;

/// <summary>The key type of records that have no key: always serialized as null.</summary>
public sealed class Null
{
    private Null()
    {
    }
}
