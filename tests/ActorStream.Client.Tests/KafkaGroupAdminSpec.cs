using Akka.Actor;
using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;
using ActorStream.Protocol;
using Google.Protobuf;
using P = ActorStream.Protocol.Group;

namespace ActorStream.Client.Tests;

/// <summary>
/// The admin client (what <c>actorstream groups list|describe|reset-offsets</c> print) on a Kafka-protocol group (mode 2):
/// its members are asked into the node's endpoint exactly as the Kafka gateway asks them, with opaque bytes and the
/// partitions the gateway decoded; describe shows the host, the decoded assignment and the lag.
/// </summary>
[Collection(BrokerCollection.Name)]
public class KafkaGroupAdminSpec(BrokerFixture broker)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    private Task<T> AskAsync<T>(object request) => broker.Node.Endpoint.Ask<T>(request, AskTimeout);

    [Fact]
    public async Task A_Kafka_group_must_be_listed_described_with_lag_and_reset_once_Empty()
    {
        var topic = await broker.CreateTopicAsync("kafka-admin", 2);
        await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap }))
        {
            for (var i = 0; i < 5; i++)
            {
                await producer.ProduceAsync(topic, null, $"v{i}", 0, null);
            }
        }

        var group = "kafka-" + Guid.NewGuid().ToString("N")[..12];
        var join = new P.JoinGroupRequest
        {
            GroupId = group,
            ClientId = "rdkafka",
            SessionTimeoutMs = 10_000,
            RebalanceTimeoutMs = 30_000,
            Kafka = true,
            ProtocolType = "consumer",
            Protocols = { new P.GroupProtocol { Name = "range", Metadata = ByteString.CopyFrom(0, 3) } },
            Topics = { topic },
            ClientHost = "/127.0.0.1",
        };
        var joined = await AskAsync<P.JoinGroupResponse>(join);
        Assert.Equal((0, 1), (joined.ErrorCode, joined.GenerationId));
        var partitions = new[] { new P.GroupPartition { Topic = topic, Partition = 0 }, new P.GroupPartition { Topic = topic, Partition = 1 } };
        var synced = await AskAsync<P.SyncGroupResponse>(new P.SyncGroupRequest
        {
            GroupId = group,
            MemberId = joined.MemberId,
            GenerationId = 1,
            KafkaAssignments = { new P.MemberAssignmentBytes { MemberId = joined.MemberId, Assignment = ByteString.CopyFrom(9, 9), Partitions = { partitions } } },
        });
        Assert.Equal(ByteString.CopyFrom(9, 9), synced.KafkaAssignment);
        var committed = await AskAsync<P.OffsetCommitResponse>(new P.OffsetCommitRequest
        {
            GroupId = group,
            MemberId = joined.MemberId,
            GenerationId = 1,
            Offsets = { new P.OffsetCommitPartition { Topic = topic, Partition = 0, Offset = 2 } },
        });
        Assert.Equal(0, Assert.Single(committed.Partitions).ErrorCode);

        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap });
        var listing = Assert.Single(await admin.ListGroupsAsync(), g => g.GroupId == group);
        Assert.Equal(("Stable", "kafka", "consumer"), (listing.State, listing.ProtocolType, listing.KafkaProtocolType));

        var description = await admin.DescribeGroupAsync(group);
        Assert.Equal(("Stable", "kafka", "range", 1), (description.State, description.ProtocolType, description.ProtocolName, description.GenerationId));
        var member = Assert.Single(description.Members);
        Assert.Equal(("/127.0.0.1", "rdkafka"), (member.ClientHost, member.ClientId));
        Assert.Equal([new TopicPartition(topic, 0), new TopicPartition(topic, 1)], member.Assignment);
        Assert.Equal(
            [(0, (long?)2, 5L, (long?)3, joined.MemberId), (1, null, 0L, null, joined.MemberId)],
            description.Offsets.Select(o => (o.TopicPartition.Partition, o.CommittedOffset, o.LogEndOffset, o.Lag, o.MemberId)));

        // While the member is in the group its offsets cannot be reset; once it left (Empty) they can.
        await Assert.ThrowsAsync<ActorStreamException>(() => admin.AlterConsumerGroupOffsetsAsync(group, new Dictionary<TopicPartition, long> { [new(topic, 0)] = 0 }));
        var left = await AskAsync<P.LeaveGroupResponse>(new P.LeaveGroupRequest { GroupId = group, MemberId = joined.MemberId, Reason = "the consumer is closing" });
        Assert.Equal(0, left.ErrorCode);
        await admin.AlterConsumerGroupOffsetsAsync(group, new Dictionary<TopicPartition, long> { [new(topic, 0)] = 0 });
        var empty = await admin.DescribeGroupAsync(group);
        var reset = empty.Offsets.Single(o => o.TopicPartition.Partition == 0);
        Assert.Equal(("Empty", (long?)0, (long?)5), (empty.State, reset.CommittedOffset, reset.Lag));
    }
}
