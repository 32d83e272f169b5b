using ActorStream.Broker.Group;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests.Group;

/// <summary>The group coordinator's settings come from <c>actorstream.broker.group</c> in HOCON.</summary>
public sealed class GroupSettingsSpec
{
    [Fact]
    public void Reference_defaults_must_be_kafkas_defaults()
    {
        var settings = BrokerSettings.Create(TestNode.Config("./unused", port: 1).GetConfig("actorstream.broker"));
        Assert.Equal(GroupCoordinatorConfig.Default, settings.Group);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.OffsetsRetentionCheckInterval);
    }

    [Fact]
    public void Overrides_must_reach_the_coordinator_config()
    {
        var config = TestNode.Config("./unused", port: 1, extra: """
            actorstream.broker.group {
              offsets-retention-minutes = 60
              offsets-retention-check-interval = 30s
              min-session-timeout-ms = 1000
              max-session-timeout-ms = 60000
              offset-metadata-max-bytes = 128
            }
            """);
        var settings = BrokerSettings.Create(config.GetConfig("actorstream.broker"));
        Assert.Equal(
            new GroupCoordinatorConfig { OffsetsRetentionMs = 3_600_000, MinSessionTimeoutMs = 1000, MaxSessionTimeoutMs = 60_000, OffsetMetadataMaxBytes = 128 },
            settings.Group);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.OffsetsRetentionCheckInterval);
    }
}
