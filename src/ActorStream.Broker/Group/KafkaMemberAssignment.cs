using Google.Protobuf;

namespace ActorStream.Broker.Group;

/// <summary>Kafka mode: the assignment bytes the leader sent for one member, relayed to it byte for byte.</summary>
public sealed record KafkaMemberAssignment(string MemberId, ByteString Assignment);
