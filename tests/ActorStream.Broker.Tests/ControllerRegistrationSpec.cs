using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.TestActors;
using ActorStream.Broker.Controller;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests;

/// <summary>
/// The controller's registration decisions (it is the authority on the node ids the journal knows): the controller actor
/// alone in a one-member cluster with the in-memory journal, node 0 registered at this member's address.
/// </summary>
public sealed class ControllerRegistrationSpec : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "actorstream-broker-tests", Guid.NewGuid().ToString("N"));
    private ActorSystem _system = null!;
    private IActorRef _controller = null!;
    private string _selfAddress = "";
    private string _clusterId = "";

    public async Task InitializeAsync()
    {
        var settings = BrokerSettings.Create(TestNode.Config(_dataDir).GetConfig("actorstream.broker"));
        var config = ConfigurationFactory.ParseString("""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            akka.loglevel = WARNING
            """).WithFallback(ProtocolConfig.Default);
        _system = ActorSystem.Create("controller-registration", config);
        var cluster = Akka.Cluster.Cluster.Get(_system);
        await cluster.JoinAsync(cluster.SelfAddress);
        _selfAddress = cluster.SelfAddress.ToString();
        _controller = _system.ActorOf(ClusterController.Props(settings, _system.ActorOf(Props.Create<BlackHoleActor>())), "controller");
        var first = await RegisterAsync(Registration(_selfAddress, clusterId: ""));
        Assert.Equal(0, first.ErrorCode);
        _clusterId = first.ClusterId;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    /// <summary>A registration; <paramref name="uid"/> is the incarnation (the first registration in the setup is uid 1).</summary>
    private static NodeRegistration Registration(string address, string clusterId, int nodeId = 0, bool acceptEmptyDataDir = false, long uid = 1) => new()
    {
        Uid = uid,
        NodeId = nodeId,
        Host = "127.0.0.1",
        Port = Akka.Actor.Address.Parse(address).Port ?? 0,
        Address = address,
        ClusterId = clusterId,
        DataDir = "/srv/node-" + nodeId,
        AcceptEmptyDataDir = acceptEmptyDataDir,
    };

    private Task<NodeRegistered> RegisterAsync(NodeRegistration registration) => _controller.Ask<NodeRegistered>(registration, Timeout);

    private Task<Protocol.Broker.MetadataSnapshot> MetadataAsync() => _controller.Ask<Protocol.Broker.MetadataSnapshot>(new GetMetadataSnapshot(), Timeout);

    [Fact]
    public async Task A_known_node_id_at_another_address_must_be_refused_with_DUPLICATE_BROKER_REGISTRATION_while_the_first_is_a_member()
    {
        var other = Registration("akka.tcp://actorstream@127.0.0.1:1", clusterId: _clusterId, uid: 2);
        var refused = await RegisterAsync(other);
        Assert.Equal((int)ErrorCode.DuplicateBrokerRegistration, refused.ErrorCode);
        Assert.Contains("already registered by a running cluster member at 127.0.0.1:", refused.ErrorMessage, StringComparison.Ordinal);
        // The first registration stands.
        Assert.Equal(_selfAddress, Assert.Single((await MetadataAsync()).Brokers).Address);
    }

    [Fact]
    public async Task A_known_node_id_restarting_on_its_own_address_must_be_accepted()
    {
        var restarted = await RegisterAsync(Registration(_selfAddress, clusterId: _clusterId, uid: 2));
        Assert.Equal(0, restarted.ErrorCode);
        Assert.Equal(_clusterId, restarted.ClusterId);
    }

    [Fact]
    public async Task A_known_node_id_without_meta_properties_must_be_refused_naming_the_data_dir_and_the_journal()
    {
        var refused = await RegisterAsync(Registration(_selfAddress, clusterId: "", uid: 2));
        Assert.Equal((int)ErrorCode.InconsistentClusterId, refused.ErrorCode);
        Assert.StartsWith("The data dir /srv/node-0 has no meta.properties, but the journal sqlite:", refused.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("already knows node 0", refused.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("--accept-empty-data-dir", refused.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_known_node_id_without_meta_properties_must_be_accepted_when_the_operator_accepted_an_empty_data_dir()
    {
        var accepted = await RegisterAsync(Registration(_selfAddress, clusterId: "", acceptEmptyDataDir: true, uid: 2));
        Assert.Equal(0, accepted.ErrorCode);
        Assert.Equal(_clusterId, accepted.ClusterId);
    }

    [Fact]
    public async Task The_same_incarnation_registering_again_must_be_accepted_although_it_has_no_meta_properties_yet()
    {
        // Its first answer came too late (the node asks again after 3 s): it has not written meta.properties yet.
        var retried = await RegisterAsync(Registration(_selfAddress, clusterId: ""));
        Assert.Equal(0, retried.ErrorCode);
        Assert.Equal(_clusterId, retried.ClusterId);
    }

    [Fact]
    public async Task A_new_node_id_without_meta_properties_must_be_accepted()
    {
        var registered = await RegisterAsync(Registration("akka.tcp://actorstream@127.0.0.1:2", clusterId: "", nodeId: 1));
        Assert.Equal(0, registered.ErrorCode);
        Assert.Equal(_clusterId, registered.ClusterId);
    }
}
