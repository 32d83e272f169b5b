using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Kafka's ConsumerProtocol encoding of a consumer's JoinGroup metadata and the leader's SyncGroup assignment: an INT16
/// version, then the struct at that version, checked against bytes written out by hand from Kafka's layout.
/// </summary>
public sealed class ConsumerProtocolSpec
{
    // Version 1, topics ["orders", "t"], user data null, owned partitions [orders: 0, 3].
    private static readonly byte[] SubscriptionV1 = Convert.FromHexString(
        "0001" + "00000002" + "0006" + Hex("orders") + "0001" + Hex("t") + "FFFFFFFF"
        + "00000001" + "0006" + Hex("orders") + "00000002" + "00000000" + "00000003");

    // Version 0, assigned [orders: 1, 2], user data 0xAB.
    private static readonly byte[] AssignmentV0 = Convert.FromHexString(
        "0000" + "00000001" + "0006" + Hex("orders") + "00000002" + "00000001" + "00000002" + "00000001" + "AB");

    [Fact]
    public void A_subscription_decodes_from_known_bytes()
    {
        var subscription = ConsumerProtocol.DeserializeSubscription(SubscriptionV1);
        Assert.Equal(["orders", "t"], subscription.Topics);
        Assert.Null(subscription.UserData);
        var owned = Assert.Single(subscription.OwnedPartitions);
        Assert.Equal("orders", owned.Topic);
        Assert.Equal([0, 3], owned.Partitions);
    }

    [Fact]
    public void A_subscription_encodes_to_the_same_bytes()
    {
        var subscription = new ConsumerProtocolSubscription
        {
            Topics = ["orders", "t"],
            OwnedPartitions = [new ConsumerProtocolSubscription.TopicPartition { Topic = "orders", Partitions = [0, 3] }],
        };
        Assert.Equal(Convert.ToHexString(SubscriptionV1), Convert.ToHexString(ConsumerProtocol.SerializeSubscription(subscription, 1)));
    }

    [Fact]
    public void An_assignment_round_trips_through_known_bytes()
    {
        var assignment = ConsumerProtocol.DeserializeAssignment(AssignmentV0);
        var topic = Assert.Single(assignment.AssignedPartitions);
        Assert.Equal("orders", topic.Topic);
        Assert.Equal([1, 2], topic.Partitions);
        Assert.Equal([0xAB], assignment.UserData!);
        Assert.Equal(Convert.ToHexString(AssignmentV0), Convert.ToHexString(ConsumerProtocol.SerializeAssignment(assignment, 0)));
    }

    [Fact]
    public void A_version_newer_than_known_is_read_as_the_newest_and_its_extra_fields_are_left()
    {
        // Version 7 (unknown): the version-3 layout followed by a field a future version might append.
        var v3 = ConsumerProtocol.SerializeSubscription(new ConsumerProtocolSubscription { Topics = ["t"], GenerationId = 5, RackId = "r1" }, 3);
        var newer = (byte[])[0x00, 0x07, .. v3[2..], 0x12, 0x34];
        var subscription = ConsumerProtocol.DeserializeSubscription(newer);
        Assert.Equal(["t"], subscription.Topics);
        Assert.Equal(5, subscription.GenerationId);
        Assert.Equal("r1", subscription.RackId);
    }

    [Fact]
    public void Bytes_that_are_not_the_consumer_protocol_are_refused_and_best_effort_decoding_gives_null()
    {
        byte[][] invalid =
        [
            [],
            [0xFF, 0xFF, 0, 0, 0, 0],                 // negative version
            [0x00, 0x00, 0x00, 0x00, 0x00, 0x05],     // topics count 5, nothing follows
            [.. SubscriptionV1, 0x00],                // a trailing byte after a known version
            "connect-metadata"u8.ToArray(),
        ];
        foreach (var bytes in invalid)
        {
            Assert.Throws<KafkaProtocolException>(() => ConsumerProtocol.DeserializeSubscription(bytes));
            Assert.Null(ConsumerProtocol.TryDeserializeSubscription(bytes));
            Assert.Null(ConsumerProtocol.TryDeserializeAssignment(bytes));
        }
    }

    private static string Hex(string text) => Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(text));
}
