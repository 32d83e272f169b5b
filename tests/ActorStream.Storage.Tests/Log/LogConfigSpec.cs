using ActorStream.Storage.Log;

namespace ActorStream.Storage.Tests.Log;

public class LogConfigSpec
{
    [Fact]
    public void Defaults_must_match_Kafkas_topic_defaults()
    {
        var config = LogConfig.Default;
        Assert.Equal(1024 * 1024 * 1024, config.SegmentBytes);
        Assert.Equal(604_800_000, config.SegmentMs);
        Assert.Equal(4096, config.IndexIntervalBytes);
        Assert.Equal(604_800_000, config.RetentionMs);
        Assert.Equal(-1, config.RetentionBytes);
        Assert.Equal(1_048_588, config.MaxMessageBytes);
        Assert.Equal(long.MaxValue, config.FlushMessages);
        Assert.False(config.FlushEveryAppend);
    }

    [Fact]
    public void Kafka_property_names_must_override_the_defaults()
    {
        var config = LogConfig.Default.With(new Dictionary<string, string>
        {
            ["retention.ms"] = "-1",
            ["retention.bytes"] = "1000000",
            ["segment.bytes"] = "65536",
            ["max.message.bytes"] = "2000000",
            ["flush.messages"] = "1",
        });
        Assert.Equal((-1L, 1_000_000L, 65536, 2_000_000), (config.RetentionMs, config.RetentionBytes, config.SegmentBytes, config.MaxMessageBytes));
        Assert.True(config.FlushEveryAppend);
    }

    [Theory]
    [InlineData("retention.ms", "soon")]
    [InlineData("segment.bytes", "0")]
    [InlineData("retention.bytes", "-2")]
    [InlineData("no.such.config", "1")]
    public void Bad_values_and_unknown_names_must_be_rejected_with_the_key_in_the_message(string key, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => LogConfig.Default.With([new(key, value)]));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }
}
