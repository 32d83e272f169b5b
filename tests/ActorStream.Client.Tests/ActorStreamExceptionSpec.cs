using ActorStream.Client.Config;
using ActorStream.Protocol;

namespace ActorStream.Client.Tests;

public sealed class ActorStreamExceptionSpec
{
    [Fact]
    public void A_topic_level_error_must_not_end_with_a_partition_minus_one_suffix()
    {
        var e = ActorStreamException.For(new TopicPartition("a/b", -1), ErrorCode.InvalidTopicException, "Cannot create topic 'a/b': bad name");
        Assert.Equal("Cannot create topic 'a/b': bad name (InvalidTopicException, error code 17)", e.Message);
        Assert.Equal("UnknownTopicOrPartition on topic t (UnknownTopicOrPartition, error code 3)", ActorStreamException.For(new TopicPartition("t", -1), ErrorCode.UnknownTopicOrPartition, null).Message);
    }

    [Fact]
    public void A_partition_error_must_still_name_the_partition() =>
        Assert.Equal(
            "Leader moved [t-2] (NotLeaderOrFollower, error code 6)",
            ActorStreamException.For(new TopicPartition("t", 2), ErrorCode.NotLeaderOrFollower, "Leader moved").Message);

    [Fact]
    public void Log_level_must_be_read_from_log_level_and_validated()
    {
        Assert.Null(AdminConfig.FromProperties(new Dictionary<string, string>()).LogLevel);
        Assert.Equal("warn", AdminConfig.FromProperties(new Dictionary<string, string> { ["log.level"] = "warn" }).LogLevel);
        Assert.Contains("log.level", Assert.Throws<ArgumentException>(() => AdminConfig.FromProperties(new Dictionary<string, string> { ["log.level"] = "loud" })).Message, StringComparison.Ordinal);
    }
}
