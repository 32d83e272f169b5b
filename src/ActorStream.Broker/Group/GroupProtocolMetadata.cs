using Google.Protobuf;

namespace ActorStream.Broker.Group;

/// <summary>Kafka mode: one protocol a member supports (its name, e.g. an assignor) with the member's metadata for it, opaque to the coordinator.</summary>
public sealed record GroupProtocolMetadata(string Name, ByteString Metadata);
