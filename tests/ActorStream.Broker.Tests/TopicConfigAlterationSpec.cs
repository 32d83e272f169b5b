using ActorStream.Broker.Configs;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Tests;

public sealed class TopicConfigAlterationSpec
{
    private static readonly Dictionary<string, string> Current = new() { ["retention.ms"] = "1000", ["segment.bytes"] = "100000" };

    private static AlterConfigsResource Resource(params (string Name, int Op, string? Value)[] configs)
    {
        var resource = new AlterConfigsResource { ResourceType = ConfigResourceType.Topic, ResourceName = "t" };
        foreach (var (name, op, value) in configs)
        {
            var config = new AlterableConfig { Name = name, ConfigOperation = op };
            if (value is not null)
            {
                config.Value = value;
            }

            resource.Configs.Add(config);
        }

        return resource;
    }

    [Fact]
    public void An_incremental_alteration_must_set_and_delete_on_top_of_the_current_configs()
    {
        var outcome = TopicConfigAlteration.Apply(Current, Resource(("retention.ms", AlterConfigOp.Delete, null), ("max.message.bytes", AlterConfigOp.Set, "5000")), incremental: true);
        Assert.Equal(ErrorCode.None, outcome.Error);
        Assert.Equal(new Dictionary<string, string> { ["segment.bytes"] = "100000", ["max.message.bytes"] = "5000" }, outcome.Configs);
    }

    [Fact]
    public void A_full_alteration_must_replace_the_whole_set()
    {
        var outcome = TopicConfigAlteration.Apply(Current, Resource(("retention.bytes", 0, "5000"), ("flush.ms", 0, null)), incremental: false);
        Assert.Equal(new Dictionary<string, string> { ["retention.bytes"] = "5000" }, outcome.Configs);
    }

    [Theory]
    [InlineData("retention.mss", AlterConfigOp.Set, "1", ErrorCode.InvalidConfig)]
    [InlineData("retention.ms", AlterConfigOp.Set, "-5", ErrorCode.InvalidConfig)]
    [InlineData("cleanup.policy", AlterConfigOp.Set, "compact", ErrorCode.InvalidConfig)]
    [InlineData("min.insync.replicas", AlterConfigOp.Set, "0", ErrorCode.InvalidConfig)]
    [InlineData("retention.ms", AlterConfigOp.Set, null, ErrorCode.InvalidRequest)]
    [InlineData("cleanup.policy", AlterConfigOp.Append, "delete", ErrorCode.InvalidRequest)]
    [InlineData("cleanup.policy", AlterConfigOp.Subtract, "delete", ErrorCode.InvalidRequest)]
    [InlineData("retention.ms", 9, "1", ErrorCode.InvalidRequest)]
    public void A_bad_alteration_must_be_refused_naming_the_config(string name, int op, string? value, ErrorCode expected)
    {
        var outcome = TopicConfigAlteration.Apply(Current, Resource((name, op, value)), incremental: true);
        Assert.Null(outcome.Configs);
        Assert.Equal(expected, outcome.Error);
        Assert.Contains(name, outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_config_twice_must_be_refused()
    {
        var outcome = TopicConfigAlteration.Apply(Current, Resource(("retention.ms", 0, "1"), ("retention.ms", 1, null)), incremental: true);
        Assert.Equal(ErrorCode.InvalidRequest, outcome.Error);
    }
}
