using Akka.Actor;
using Akka.Configuration;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;
using ActorStream.Protocol.Serialization;
using Google.Protobuf;

namespace ActorStream.Protocol.Tests;

public sealed class ActorStreamSerializerSpec : Akka.TestKit.Xunit2.TestKit
{
    public ActorStreamSerializerSpec()
        : base(ConfigurationFactory.ParseString("akka.actor.serialize-messages = off").WithFallback(ProtocolConfig.Default))
    {
    }

    private static IEnumerable<Type> GeneratedMessageTypes() =>
        typeof(IActorStreamMessage).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && typeof(IMessage).IsAssignableFrom(t) && t.Namespace is "ActorStream.Protocol.Client" or "ActorStream.Protocol.Broker" or "ActorStream.Protocol.Group");

    [Fact]
    public void Every_generated_message_must_be_an_ActorStream_message_and_registered()
    {
        var types = GeneratedMessageTypes().ToList();
        Assert.True(types.Count > 40, $"found only {types.Count} generated message types");
        Assert.All(types, t => Assert.True(typeof(IActorStreamMessage).IsAssignableFrom(t), $"{t} lacks the IActorStreamMessage marker"));
        Assert.Equal(types.OrderBy(t => t.FullName), ActorStreamSerializer.RegisteredTypes.OrderBy(t => t.FullName));
    }

    [Fact]
    public void Akka_must_pick_the_ActorStream_serializer_for_every_message_never_the_JSON_fallback()
    {
        var serialization = Sys.Serialization;
        Assert.All(GeneratedMessageTypes(), t =>
        {
            var serializer = serialization.FindSerializerForType(t);
            Assert.IsType<ActorStreamSerializer>(serializer);
        });
    }

    [Fact]
    public void Every_message_must_round_trip_with_its_manifest()
    {
        var serializer = (ActorStreamSerializer)Sys.Serialization.FindSerializerForType(typeof(ProduceRequest));
        foreach (var type in GeneratedMessageTypes())
        {
            var message = (IMessage)Activator.CreateInstance(type)!;
            var bytes = serializer.ToBinary(message);
            var back = serializer.FromBinary(bytes, serializer.Manifest(message));
            Assert.Equal(message, back);
        }
    }

    [Fact]
    public void A_produce_request_must_carry_record_bytes_unchanged()
    {
        var records = Enumerable.Range(0, 70_000).Select(i => (byte)i).ToArray();
        var request = new ProduceRequest { CorrelationId = 7, Acks = -1, TimeoutMs = 1000 };
        request.Partitions.Add(new ProducePartitionData { Topic = "t", Partition = 3, Records = UnsafeByteOperations.UnsafeWrap(records) });
        var serializer = (ActorStreamSerializer)Sys.Serialization.FindSerializerForType(typeof(ProduceRequest));
        var back = (ProduceRequest)serializer.FromBinary(serializer.ToBinary(request), serializer.Manifest(request));
        Assert.Equal(records, back.Partitions[0].Records.ToByteArray());
        Assert.Equal(3, back.Partitions[0].Partition);
    }

    [Fact]
    public void Manifests_must_never_change()
    {
        var serializer = (ActorStreamSerializer)Sys.Serialization.FindSerializerForType(typeof(ProduceRequest));
        Assert.Equal("C1", serializer.Manifest(new BrokerNode()));
        Assert.Equal("C7", serializer.Manifest(new ProduceRequest()));
        Assert.Equal("B1", serializer.Manifest(new PartitionAppend()));
        Assert.Equal("B16", serializer.Manifest(new TopicCreated()));
        Assert.Equal("B28", serializer.Manifest(new LeaderEpochBumped()));
        Assert.Equal(4053, serializer.Identifier);
    }

    [Fact]
    public void An_unknown_manifest_must_fail_clearly()
    {
        var serializer = (ActorStreamSerializer)Sys.Serialization.FindSerializerForType(typeof(ProduceRequest));
        Assert.Contains("Z99", Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([], "Z99")).Message, StringComparison.Ordinal);
    }
}
