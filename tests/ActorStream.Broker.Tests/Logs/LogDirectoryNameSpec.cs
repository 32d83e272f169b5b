using ActorStream.Broker.Logs;

namespace ActorStream.Broker.Tests.Logs;

public sealed class LogDirectoryNameSpec
{
    private const string TopicId = "0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("orders", 0)]
    [InlineData("my-topic-3", 12)]
    [InlineData("a-1-b", 7)]
    [InlineData("trailing-", 1)]
    [InlineData("dots.and_underscores", 2)]
    public void A_name_must_round_trip_even_when_the_topic_contains_dashes(string topic, int partition)
    {
        var name = new LogDirectoryName(topic, partition, TopicId);
        Assert.True(LogDirectoryName.TryParse(name.ToString(), out var parsed));
        Assert.Equal(name, parsed);
        Assert.Equal(LogManager.DirectoryName(topic, partition, TopicId), name.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("orders")]
    [InlineData("orders-0")]
    [InlineData("-0-" + TopicId)]
    [InlineData("orders--" + TopicId)]
    [InlineData("orders-x-" + TopicId)]
    [InlineData("orders-1.5-" + TopicId)]
    [InlineData("orders-01-" + TopicId)]
    [InlineData("orders-+1-" + TopicId)]
    [InlineData("orders-0-")]
    public void Anything_this_type_does_not_write_must_not_parse(string name) =>
        Assert.False(LogDirectoryName.TryParse(name, out _));
}
