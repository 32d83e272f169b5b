namespace ActorStream.Kafka.Hosting;

/// <summary>
/// One configured Kafka listener: its name (upper case, as Kafka normalises listener names), where it binds, and what
/// it advertises. <see cref="AdvertisedPort"/> 0 means the bound port (known once bound); <see cref="Setting"/> names
/// the configuration key it came from, for error messages.
/// </summary>
public sealed record KafkaListenerSettings(string Name, string BindHost, int Port, string AdvertisedHost, int AdvertisedPort, string Setting);
