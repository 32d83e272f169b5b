namespace ActorStream.Benchmarks.Columns;

/// <summary>How many payload bytes one benchmark operation processes; <see cref="MebibytesPerSecondColumn"/> turns it into MiB/s.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BytesPerOperationAttribute(long bytes) : Attribute
{
    public long Bytes { get; } = bytes;
}
