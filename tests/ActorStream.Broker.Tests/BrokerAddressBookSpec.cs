using Akka.Actor;
using ActorStream.Broker.Partition;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Tests;

/// <summary>Mapping a shard region's address to the registered broker that runs it.</summary>
public sealed class BrokerAddressBookSpec
{
    private static readonly BrokerAddressBook Book = new(
    [
        new BrokerNode { NodeId = 0, Host = "broker-0", Port = 4053, Address = "akka.tcp://actorstream@10.0.0.1:4053" },
        new BrokerNode { NodeId = 1, Host = "10.0.0.2", Port = 4054 },
    ]);

    [Fact]
    public void A_region_at_a_registered_cluster_address_must_map_to_its_node() =>
        Assert.Equal(0, Book.NodeIdOf(Address.Parse("akka.tcp://actorstream@10.0.0.1:4053")));

    [Fact]
    public void The_transport_protocol_must_not_matter() =>
        Assert.Equal(0, Book.NodeIdOf(Address.Parse("akka.trttl.tcp://actorstream@10.0.0.1:4053")));

    [Fact]
    public void A_broker_registered_without_a_cluster_address_must_be_found_by_host_and_port() =>
        Assert.Equal(1, Book.NodeIdOf(Address.Parse("akka.tcp://actorstream@10.0.0.2:4054")));

    [Theory]
    [InlineData("akka.tcp://actorstream@10.0.0.1:4054")] // right host, wrong port
    [InlineData("akka.tcp://actorstream@broker-0:4053")] // the advertised host is not the cluster address
    [InlineData("akka://actorstream")] // a local address must be resolved to the self address first
    public void An_address_of_no_registered_broker_must_map_to_no_node(string address) =>
        Assert.Null(Book.NodeIdOf(Address.Parse(address)));
}
