using ActorStream.Broker.Partition;

namespace ActorStream.Broker.Tests;

public sealed class TopicConfigsSpec
{
    [Fact]
    public void An_unknown_config_must_be_refused_listing_every_accepted_config()
    {
        var error = TopicConfigs.Validate(new Dictionary<string, string> { ["retention.msec"] = "1" });
        Assert.NotNull(error);
        Assert.StartsWith("Unknown topic config 'retention.msec'; known: ", error, StringComparison.Ordinal);
        foreach (var name in new[] { "cleanup.policy", "min.insync.replicas", "unclean.leader.election.enable", "retention.ms", "segment.bytes" })
        {
            Assert.Contains(name, error, StringComparison.Ordinal);
            Assert.Null(TopicConfigs.Validate(new Dictionary<string, string> { [name] = name == "cleanup.policy" ? "delete" : name == "unclean.leader.election.enable" ? "true" : "1000" }));
        }
    }

    [Fact]
    public void A_bad_value_must_name_the_config_without_a_dotnet_parameter_name()
    {
        var error = TopicConfigs.Validate(new Dictionary<string, string> { ["retention.ms"] = "soon" });
        Assert.Equal("Invalid value 'soon' for retention.ms: expected an integer ≥ -1", error);
    }
}
