namespace ActorStream.Client.Serialization;

/// <summary>A key or value type the consumer does not decode (always null).</summary>
public sealed class Ignore
{
    private Ignore()
    {
    }
}
