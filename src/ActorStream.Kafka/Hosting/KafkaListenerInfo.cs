namespace ActorStream.Kafka.Hosting;

/// <summary>
/// One named Kafka listener of this node (Kafka's <c>listeners</c> / <c>advertised.listeners</c>): the name, and the
/// host and port clients that connect to it are told to use (Metadata answers with the addresses of the listener a
/// request arrived on).
/// </summary>
internal sealed record KafkaListenerInfo(string Name, string AdvertisedHost, int AdvertisedPort);
