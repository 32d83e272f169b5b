namespace ActorStream.Kafka.Network;

/// <summary>
/// Thrown by a handler to close the connection the request arrived on instead of answering it, as Kafka does to make a
/// client refresh its metadata (Produce with acks=0 that failed: there is no response to carry the error).
/// </summary>
internal sealed class KafkaCloseConnectionException(string message) : Exception(message);
