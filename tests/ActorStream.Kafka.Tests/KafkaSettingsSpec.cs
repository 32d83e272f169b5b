using Akka.Configuration;
using ActorStream.Kafka.Hosting;

namespace ActorStream.Kafka.Tests;

/// <summary><c>actorstream.kafka</c>: Kafka's listeners / advertised.listeners syntax, the defaults, and the errors.</summary>
public sealed class KafkaSettingsSpec
{
    private static KafkaSettings Parse(string kafka, string broker = "") =>
        KafkaSettings.Create(ConfigurationFactory.ParseString($$"""
            actorstream.broker { {{broker}} }
            actorstream.kafka { {{kafka}} }
            """));

    [Fact]
    public void Defaults_must_be_Kafkas_and_one_PLAINTEXT_listener_on_the_kafka_port()
    {
        var settings = Parse("", "host = \"node1\", bind-host = \"0.0.0.0\", kafka-port = 9093");

        Assert.True(settings.Enabled);
        Assert.Equal(100 * 1024 * 1024, settings.SocketRequestMaxBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(600_000), settings.ConnectionsMaxIdle);
        var listener = Assert.Single(settings.Listeners);
        Assert.Equal(new KafkaListenerSettings("PLAINTEXT", "0.0.0.0", 9093, "node1", 9093, "actorstream.broker.kafka-port"), listener);
    }

    [Fact]
    public void Without_any_broker_section_the_reference_defaults_apply()
    {
        var settings = KafkaSettings.Create(ConfigurationFactory.Empty);

        var listener = Assert.Single(settings.Listeners);
        Assert.Equal(("PLAINTEXT", "127.0.0.1", 9092, "127.0.0.1", 9092), (listener.Name, listener.BindHost, listener.Port, listener.AdvertisedHost, listener.AdvertisedPort));
    }

    [Fact]
    public void Named_listeners_must_parse_with_empty_hosts_and_advertise_by_name()
    {
        var settings = Parse(
            """
            listeners = "internal://0.0.0.0:9092, EXTERNAL://:29092,LOCAL://127.0.0.2:0"
            advertised-listeners = "INTERNAL://node1:9092,EXTERNAL://localhost:29092"
            """,
            "host = \"node1.example\", bind-host = \"10.0.0.5\"");

        Assert.Equal(
            [
                new KafkaListenerSettings("INTERNAL", "0.0.0.0", 9092, "node1", 9092, "actorstream.kafka.listeners"),
                new KafkaListenerSettings("EXTERNAL", "10.0.0.5", 29092, "localhost", 29092, "actorstream.kafka.listeners"),
                // Not advertised explicitly: its own host; port 0 advertises the bound one (0 here, resolved at bind).
                new KafkaListenerSettings("LOCAL", "127.0.0.2", 0, "127.0.0.2", 0, "actorstream.kafka.listeners"),
            ],
            settings.Listeners);
    }

    [Fact]
    public void A_wildcard_or_empty_listener_host_advertises_the_nodes_host()
    {
        var settings = Parse("listeners = \"A://0.0.0.0:1,B://:2,C://[::]:3\", advertised-listeners = \"B://:0\"", "host = \"broker-7\"");

        Assert.All(settings.Listeners, l => Assert.Equal("broker-7", l.AdvertisedHost));
        Assert.Equal("::", settings.Listeners[2].BindHost);
        Assert.Equal(0, settings.Listeners[1].AdvertisedPort);
    }

    [Fact]
    public void Advertised_listeners_apply_to_the_default_PLAINTEXT_listener_too()
    {
        var settings = Parse("advertised-listeners = \"PLAINTEXT://kafka.example:19092\"", "kafka-port = 0");

        var listener = Assert.Single(settings.Listeners);
        Assert.Equal(("kafka.example", 19092, 0), (listener.AdvertisedHost, listener.AdvertisedPort, listener.Port));
    }

    [Fact]
    public void Disabled_must_parse()
    {
        Assert.False(Parse("enabled = off").Enabled);
    }

    [Theory]
    [InlineData("listeners = \"localhost:9092\"", "'localhost:9092' is not a listener")]
    [InlineData("listeners = \"PLAINTEXT://host\"", "is not a listener")]
    [InlineData("listeners = \"PLAINTEXT://host:70000\"", "not a TCP port")]
    [InlineData("listeners = \"PLAINTEXT://host:-1\"", "is not a listener")]
    [InlineData("listeners = \"A://:9092,a://:9093\"", "listener name A appears twice")]
    [InlineData("listeners = \"A://:9092,B://h:9092\"", "listeners A and B both use port 9092")]
    [InlineData("listeners = \"A://:9092\", advertised-listeners = \"B://h:1\"", "advertised-listeners: B is not a listener (listeners: A)")]
    [InlineData("listeners = \"A://:9092\", advertised-listeners = \"A://0.0.0.0:9092\"", "A advertises 0.0.0.0, which clients cannot dial")]
    [InlineData("socket-request-max-bytes = 10", "socket-request-max-bytes must be between 1024")]
    [InlineData("connections-max-idle = 0s", "connections-max-idle must be positive")]
    public void Invalid_settings_must_fail_naming_the_key(string kafka, string error)
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse(kafka));

        Assert.Contains(error, e.Message, StringComparison.Ordinal);
        Assert.Contains("actorstream.kafka.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Port_zero_listeners_may_share_port_zero()
    {
        var settings = Parse("listeners = \"A://127.0.0.1:0,B://127.0.0.1:0\"");

        Assert.Equal(2, settings.Listeners.Count);
    }
}
