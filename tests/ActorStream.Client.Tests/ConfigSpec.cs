using ActorStream.Client.Config;
using ActorStream.Storage.Compression;

namespace ActorStream.Client.Tests;

public class ConfigSpec
{
    [Fact]
    public void ProducerConfig_must_have_Kafka_defaults()
    {
        var config = ProducerConfig.FromProperties(new Dictionary<string, string>());
        Assert.Equal("127.0.0.1:4053", config.BootstrapServers);
        Assert.Equal(Acks.All, config.Acks);
        Assert.Equal(0, config.LingerMs);
        Assert.Equal(16384, config.BatchSize);
        Assert.Equal(33554432, config.BufferMemory);
        Assert.Equal(60000, config.MaxBlockMs);
        Assert.Equal(int.MaxValue, config.Retries);
        Assert.Equal(100, config.RetryBackoffMs);
        Assert.Equal(120000, config.DeliveryTimeoutMs);
        Assert.Equal(30000, config.RequestTimeoutMs);
        Assert.Equal(5, config.MaxInFlightRequestsPerConnection);
        Assert.True(config.IdempotenceEnabled);
        Assert.Equal(300000, config.MetadataMaxAgeMs);
    }

    [Fact]
    public void ProducerConfig_must_parse_Kafka_property_names()
    {
        var config = ProducerConfig.FromProperties(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "h1:1,h2:2",
            ["acks"] = "1",
            ["linger.ms"] = "7",
            ["compression.type"] = "zstd",
            ["key.serializer"] = "ignored.Class",
        });
        Assert.Equal(Acks.Leader, config.Acks);
        Assert.Equal(7, config.LingerMs);
        Assert.Equal(CompressionType.Zstd, config.CompressionType);
        Assert.False(config.IdempotenceEnabled); // not set explicitly, acks != all: disabled as in Kafka
        Assert.Equal(2, config.ParsedBootstrapServers.Count);
    }

    [Theory]
    [InlineData("acks", "2")]
    [InlineData("linger.ms", "-1")]
    [InlineData("batch.size", "abc")]
    [InlineData("compression.type", "brotli")]
    [InlineData("bootstrap.servers", "nohost")]
    [InlineData("no.such.property", "1")]
    public void Invalid_values_must_name_the_key(string key, string value)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => ProducerConfig.FromProperties(new Dictionary<string, string> { [key] = value }));
        Assert.Equal(key, e.ParamName);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_idempotence_with_acks_1_must_be_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ProducerConfig.FromProperties(new Dictionary<string, string> { ["acks"] = "1", ["enable.idempotence"] = "true" }));
        Assert.Equal("acks", e.ParamName);
    }

    [Fact]
    public void ConsumerConfig_must_parse_and_default()
    {
        var config = ConsumerConfig.FromProperties(new Dictionary<string, string>
        {
            ["group.id"] = "g",
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
        });
        Assert.Equal("g", config.GroupId);
        Assert.Equal(AutoOffsetReset.Earliest, config.AutoOffsetReset);
        Assert.Equal(1, config.FetchMinBytes);
        Assert.Equal(500, config.FetchMaxWaitMs);
        Assert.Equal(1048576, config.MaxPartitionFetchBytes);
        Assert.Equal(52428800, config.FetchMaxBytes);
        Assert.Equal(500, config.MaxPollRecords);
        Assert.True(config.CheckCrcs);
        var e = Assert.Throws<ArgumentException>(() => ConsumerConfig.FromProperties(new Dictionary<string, string> { ["auto.offset.reset"] = "smallest" }));
        Assert.Equal("auto.offset.reset", e.ParamName);
    }
}
