using Akka.Event;
using ActorStream.Protocol.Logging;

namespace ActorStream.Protocol.Tests.Logging;

public sealed class RemoteTransportNoiseSpec
{
    private const string Source = "akka.tcp://actorstream@127.0.0.1:4053/system/endpointManager/reliableEndpointWriter-1/endpointWriter";

    [Theory]
    [InlineData("Association with remote system akka.tcp://actorstream-client@127.0.0.1:43097 has failed; address is now gated for 200 ms.")]
    [InlineData("Tried to associate with unreachable remote address [akka.tcp://actorstream@nosuchhost:4791]. Address is now gated for 200 ms")]
    [InlineData("AssociationError [akka.tcp://actorstream-client@127.0.0.1:46645] -> akka.tcp://actorstream@nosuchhost:4791: Error [Association failed]")]
    public void A_dropped_or_refused_connection_warning_must_be_connection_loss(string message) =>
        Assert.True(RemoteTransportNoise.IsConnectionLoss(new Warning(Source, typeof(RemoteTransportNoiseSpec), message)));

    [Fact]
    public void The_endpoint_writers_disassociated_error_must_be_connection_loss() =>
        Assert.True(RemoteTransportNoise.IsConnectionLoss(new Error(new EndpointDisassociatedException(), Source, typeof(RemoteTransportNoiseSpec), "Disassociated")));

    [Fact]
    public void An_error_caused_by_a_disassociation_deeper_down_must_be_connection_loss() =>
        Assert.True(RemoteTransportNoise.IsConnectionLoss(new Error(new InvalidOperationException("wrapped", new EndpointDisassociatedException()), Source, typeof(RemoteTransportNoiseSpec), "Endpoint failed")));

    [Theory]
    [InlineData("Discarding oversized payload sent to [akka.tcp://actorstream@127.0.0.1:4054]: max allowed size 4194304 bytes")]
    [InlineData("Cluster Node [akka.tcp://actorstream@127.0.0.1:4053] - Marking node(s) as UNREACHABLE")]
    [InlineData("Association to [akka.tcp://actorstream@127.0.0.1:4054] having UID [1] is irrecoverably failed. UID is now quarantined")]
    public void Other_warnings_must_stay_warnings(string message) =>
        Assert.False(RemoteTransportNoise.IsConnectionLoss(new Warning(Source, typeof(RemoteTransportNoiseSpec), message)));

    [Fact]
    public void An_info_event_is_never_demoted() =>
        Assert.False(RemoteTransportNoise.IsConnectionLoss(new Info(Source, typeof(RemoteTransportNoiseSpec), "Disassociated")));

    [Theory]
    [InlineData("warn", "WARNING")]
    [InlineData("Warning", "WARNING")]
    [InlineData("info", "INFO")]
    [InlineData(" DEBUG ", "DEBUG")]
    [InlineData("off", "OFF")]
    public void Log_levels_must_map_kafka_and_akka_names_to_akka_names(string given, string akka) => Assert.Equal(akka, LogLevels.ToAkka(given));

    [Fact]
    public void An_unknown_log_level_must_be_refused_naming_the_levels()
    {
        Assert.False(LogLevels.IsValid("LOUD"));
        Assert.Contains("DEBUG, INFO, WARNING, ERROR, OFF", Assert.Throws<ArgumentException>(() => LogLevels.ToAkka("LOUD")).Message, StringComparison.Ordinal);
    }

    /// <summary>Stands in for Akka.Remote's exception of that name (matched by name: Protocol does not reference Akka.Remote).</summary>
    private sealed class EndpointDisassociatedException() : Exception("Disassociated");
}
