namespace ActorStream.Kafka.Protocol;

/// <summary>
/// A request or response that does not follow Kafka's wire format: truncated, a length out of range, a field the
/// version cannot carry. The listener answers it by closing the connection, as Kafka does.
/// </summary>
public sealed class KafkaProtocolException(string message) : Exception(message);
