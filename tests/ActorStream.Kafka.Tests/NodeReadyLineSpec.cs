using ActorStream.Kafka.Tests.Support;

namespace ActorStream.Kafka.Tests;

/// <summary>The fixtures find a node's addresses in its ready line, in every form the line takes.</summary>
public sealed class NodeReadyLineSpec
{
    [Fact]
    public void A_ready_line_with_one_Kafka_listener_must_give_both_addresses()
    {
        var line = NodeReadyLine.Parse("ActorStream node 0 of cluster OsIn8Ir1e0ePo6S1AoHhYw is up: bootstrap 127.0.0.1:4053, kafka PLAINTEXT://127.0.0.1:9092, data /srv/as/data, journal sqlite:/srv/as/data/metadata.db\n");

        Assert.Equal(0, line.NodeId);
        Assert.Equal("OsIn8Ir1e0ePo6S1AoHhYw", line.ClusterId);
        Assert.Equal("127.0.0.1:4053", line.NativeBootstrap);
        Assert.Equal(4053, line.NativePort);
        Assert.Equal([new KafkaListenerAddress("PLAINTEXT", "127.0.0.1", 9092)], line.KafkaListeners);
    }

    [Fact]
    public void A_ready_line_with_several_listeners_must_give_each_in_order()
    {
        var line = NodeReadyLine.Parse("some log line\nActorStream node 2 of cluster c1 is up: bootstrap n2:4053, kafka INTERNAL://n2:19092 EXTERNAL://localhost:9094 V6://[::1]:9095, data /data, journal postgres:Host=db\n");

        Assert.Equal(2, line.NodeId);
        Assert.Equal("n2:4053", line.NativeBootstrap);
        Assert.Equal(
            [new KafkaListenerAddress("INTERNAL", "n2", 19092), new KafkaListenerAddress("EXTERNAL", "localhost", 9094), new KafkaListenerAddress("V6", "[::1]", 9095)],
            line.KafkaListeners);
    }

    [Fact]
    public void A_ready_line_without_a_Kafka_listener_must_give_none()
    {
        var line = NodeReadyLine.Parse("ActorStream node 1 of cluster c is up: bootstrap 127.0.0.1:40123, data /tmp/d, journal sqlite:/tmp/d/metadata.db");

        Assert.Equal(40123, line.NativePort);
        Assert.Empty(line.KafkaListeners);
    }

    [Fact]
    public void A_ready_line_with_kafka_off_must_give_no_listener()
    {
        var line = NodeReadyLine.Parse("ActorStream node 0 of cluster c is up: bootstrap 127.0.0.1:4053, kafka off, data /d, journal sqlite:/d/metadata.db");

        Assert.Equal("127.0.0.1:4053", line.NativeBootstrap);
        Assert.Empty(line.KafkaListeners);
    }

    [Fact]
    public void Output_without_a_ready_line_must_be_refused()
    {
        Assert.Throws<FormatException>(() => NodeReadyLine.Parse("error: Failed to acquire lock on file .lock"));
        Assert.Throws<FormatException>(() => NodeReadyLine.Parse("ActorStream node 0 of cluster c is up: bootstrap 127.0.0.1:1, kafka 127.0.0.1:9092, data /d, journal j"));
    }
}
