using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Tests.Support;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// ConsumerGroupHeartbeat and ConsumerGroupDescribe over a raw connection, for what librdkafka never sends: epochs the
/// coordinator must fence, unknown members, refused assignors and regexes, a member leaving and what describe shows.
/// </summary>
[Collection(Kip848NodeCollection.Name)]
public sealed class Kip848WireSpec(Kip848Node node)
{
    private const short UnknownMemberId = 25;
    private const short InvalidRequest = 42;
    private const short GroupIdNotFound = 69;
    private const short FencedMemberEpoch = 110;
    private const short UnsupportedAssignor = 112;
    private const short InvalidRegularExpression = 128;

    private static ConsumerGroupHeartbeatRequest Join(string group, string topic) => new()
    {
        GroupId = group,
        MemberId = Guid.NewGuid().ToString("N"),
        MemberEpoch = 0,
        RebalanceTimeoutMs = 30_000,
        SubscribedTopicNames = [topic],
        SubscribedTopicRegex = "",
        TopicPartitions = [],
    };

    private static Task<ConsumerGroupHeartbeatResponse> HeartbeatAsync(KafkaWireConnection wire, ConsumerGroupHeartbeatRequest request) =>
        wire.SendAsync<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>(request, 1);

    private static async Task<Guid> TopicIdAsync(KafkaWireConnection wire, string topic)
    {
        var metadata = await wire.SendAsync<MetadataRequest, MetadataResponse>(
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }] }, 12);
        return Assert.Single(metadata.Topics).TopicId;
    }

    [Fact]
    public async Task A_member_joins_heartbeats_is_fenced_for_an_epoch_it_was_never_given_and_leaves()
    {
        var topic = await node.CreateTopicAsync("kip848-wire", 3);
        var group = "kip848-wire-" + Guid.NewGuid().ToString("N");
        await using var wire = await KafkaWireConnection.ConnectAsync(node.KafkaPort);
        var topicId = await TopicIdAsync(wire, topic);

        var joined = await HeartbeatAsync(wire, Join(group, topic));
        Assert.Equal(0, joined.ErrorCode);
        Assert.False(string.IsNullOrEmpty(joined.MemberId));
        Assert.True(joined.MemberEpoch >= 1, $"epoch {joined.MemberEpoch}");
        Assert.Equal(500, joined.HeartbeatIntervalMs);
        var assigned = Assert.Single(Assert.IsType<ConsumerGroupHeartbeatResponse.AssignmentData>(joined.Assignment).TopicPartitions);
        Assert.Equal(topicId, assigned.TopicId);
        Assert.Equal([0, 1, 2], assigned.Partitions.Order());

        // The member acknowledges its assignment; nothing else changed: same epoch, same partitions.
        var owned = new ConsumerGroupHeartbeatRequest.TopicPartitionsData { TopicId = topicId, Partitions = [0, 1, 2] };
        var steady = await HeartbeatAsync(wire, new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = joined.MemberId!, MemberEpoch = joined.MemberEpoch, TopicPartitions = [owned] });
        Assert.Equal(0, steady.ErrorCode);
        Assert.Equal(joined.MemberEpoch, steady.MemberEpoch);
        Assert.Equal([0, 1, 2], Assert.Single(steady.Assignment!.TopicPartitions).Partitions.Order());

        var future = await HeartbeatAsync(wire, new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = joined.MemberId!, MemberEpoch = joined.MemberEpoch + 5 });
        Assert.Equal(FencedMemberEpoch, future.ErrorCode);

        var stranger = await HeartbeatAsync(wire, new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = "nobody", MemberEpoch = 1 });
        Assert.Equal(UnknownMemberId, stranger.ErrorCode);

        var described = Assert.Single((await wire.SendAsync<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>(
            new ConsumerGroupDescribeRequest { GroupIds = [group, "kip848-no-such-group"] }, 0)).Groups, g => g.GroupId == group);
        Assert.Equal(0, described.ErrorCode);
        Assert.Equal("Stable", described.GroupState);
        Assert.Equal("uniform", described.AssignorName);
        var member = Assert.Single(described.Members);
        Assert.Equal(joined.MemberId, member.MemberId);
        Assert.Equal([topic], member.SubscribedTopicNames);
        var target = Assert.Single(member.TargetAssignment.TopicPartitions);
        Assert.Equal((topicId, topic), (target.TopicId, target.TopicName));
        Assert.Equal([0, 1, 2], target.Partitions);

        var left = await HeartbeatAsync(wire, new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = joined.MemberId!, MemberEpoch = -1 });
        Assert.Equal(0, left.ErrorCode);
        Assert.Equal(-1, left.MemberEpoch);
        var gone = await HeartbeatAsync(wire, new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = joined.MemberId!, MemberEpoch = joined.MemberEpoch });
        Assert.Equal(UnknownMemberId, gone.ErrorCode);
    }

    [Fact]
    public async Task An_unknown_group_is_not_found_by_ConsumerGroupDescribe()
    {
        await using var wire = await KafkaWireConnection.ConnectAsync(node.KafkaPort);
        var described = Assert.Single((await wire.SendAsync<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>(
            new ConsumerGroupDescribeRequest { GroupIds = ["kip848-no-such-group"] }, 0)).Groups);
        Assert.Equal(GroupIdNotFound, described.ErrorCode);
    }

    [Theory]
    [InlineData("sticky", "", UnsupportedAssignor)]
    [InlineData(null, "(?i)kip848-.*", InvalidRegularExpression)]
    [InlineData(null, "kip848-(", InvalidRegularExpression)]
    public async Task A_subscription_the_broker_cannot_serve_is_refused_with_Kafka_s_error(string? assignor, string regex, short expected)
    {
        await using var wire = await KafkaWireConnection.ConnectAsync(node.KafkaPort);
        var group = "kip848-refused-" + Guid.NewGuid().ToString("N");
        var request = Join(group, "kip848-anything");
        request.ServerAssignor = assignor;
        request.SubscribedTopicRegex = regex;
        var response = await HeartbeatAsync(wire, request);
        Assert.Equal(expected, response.ErrorCode);
        Assert.False(string.IsNullOrEmpty(response.ErrorMessage));

        // Nothing was created: the group does not exist.
        var described = Assert.Single((await wire.SendAsync<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>(
            new ConsumerGroupDescribeRequest { GroupIds = [group] }, 0)).Groups);
        Assert.Equal(GroupIdNotFound, described.ErrorCode);
    }

    [Fact]
    public async Task A_first_heartbeat_without_a_subscription_is_an_invalid_request()
    {
        await using var wire = await KafkaWireConnection.ConnectAsync(node.KafkaPort);
        var response = await HeartbeatAsync(wire, new ConsumerGroupHeartbeatRequest { GroupId = "kip848-nosub", MemberId = "m", MemberEpoch = 0 });
        Assert.Equal(InvalidRequest, response.ErrorCode);
        var noGroup = await HeartbeatAsync(wire, new ConsumerGroupHeartbeatRequest { GroupId = "", MemberId = "m", MemberEpoch = 0, SubscribedTopicNames = ["t"] });
        Assert.Equal(InvalidRequest, noGroup.ErrorCode);
    }

    [Fact]
    public async Task A_simple_regex_subscribes_to_the_matching_topics()
    {
        var prefix = "kip848rx" + Guid.NewGuid().ToString("N")[..6];
        var matching = await node.CreateTopicAsync(prefix + "-a", 2);
        await node.CreateTopicAsync("kip848-other", 1);
        await using var wire = await KafkaWireConnection.ConnectAsync(node.KafkaPort);
        var request = Join("kip848-regex-" + Guid.NewGuid().ToString("N"), "unused");
        request.SubscribedTopicNames = [];
        request.SubscribedTopicRegex = prefix + @"-[a-z]-[0-9a-f]+";
        var joined = await HeartbeatAsync(wire, request);
        Assert.Equal(0, joined.ErrorCode);
        var assigned = Assert.Single(joined.Assignment!.TopicPartitions);
        Assert.Equal(await TopicIdAsync(wire, matching), assigned.TopicId);
        Assert.Equal([0, 1], assigned.Partitions.Order());
    }
}
