namespace ActorStream.Kafka.Protocol;

/// <summary>A tagged field this codec does not know, kept as its raw bytes so a decode/encode round trip is identical.</summary>
public sealed record TaggedField(int Tag, byte[] Data);
