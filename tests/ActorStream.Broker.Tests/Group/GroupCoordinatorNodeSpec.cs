using ActorStream.TestKit;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol.Group;

namespace ActorStream.Broker.Tests.Group;

/// <summary>Consumer group requests through a real node's endpoint <c>/user/broker</c> to the group coordinator singleton.</summary>
public sealed class GroupCoordinatorNodeSpec(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Join_commit_and_offset_fetch_must_round_trip_through_the_endpoint()
    {
        var topic = "t-" + Guid.NewGuid().ToString("N")[..12];
        var group = "g-" + Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(0, (await fixture.CreateTopicAsync(topic, partitions: 2)).ErrorCode);

        JoinGroupRequest Join(string memberId) => new()
        {
            GroupId = group,
            MemberId = memberId,
            ClientId = "node-spec",
            SessionTimeoutMs = 10_000,
            RebalanceTimeoutMs = 30_000,
            Topics = { topic },
            Assignors = { "range" },
        };

        var joined = await fixture.Ask<JoinGroupResponse>(Join(""));
        Assert.Equal(0, joined.ErrorCode);
        if (joined.Assignment.Count < 2)
        {
            // The coordinator may learn of the new topic just after the join: that starts a rebalance, which a rejoin completes.
            await Eventually.AssertAsync(async () =>
            {
                joined = await fixture.Ask<JoinGroupResponse>(Join(joined.MemberId));
                Assert.Equal(2, joined.Assignment.Count);
            }, NodeFixture.Timeout);
        }

        var commit = new OffsetCommitRequest
        {
            GroupId = group,
            MemberId = joined.MemberId,
            GenerationId = joined.GenerationId,
            Offsets =
            {
                new OffsetCommitPartition { Topic = topic, Partition = 0, Offset = 3 },
                new OffsetCommitPartition { Topic = topic, Partition = 1, Offset = 5, Metadata = "meta" },
            },
        };
        var committed = await fixture.Ask<OffsetCommitResponse>(commit);
        Assert.All(committed.Partitions, p => Assert.Equal(0, p.ErrorCode));

        var fetched = await fixture.Ask<OffsetFetchResponse>(new OffsetFetchRequest { GroupId = group, Partitions = { new GroupPartition { Topic = topic, Partition = 0 }, new GroupPartition { Topic = topic, Partition = 1 } } });
        Assert.Equal([(0, 3L, ""), (1, 5L, "meta")], fetched.Partitions.Select(p => (p.Partition, p.Offset, p.Metadata)));

        var listed = await fixture.Ask<ListGroupsResponse>(new ListGroupsRequest());
        Assert.Contains(listed.Groups, g => g.GroupId == group && g.State == "Stable" && g.ProtocolType == "native");

        var left = await fixture.Ask<LeaveGroupResponse>(new LeaveGroupRequest { GroupId = group, MemberId = joined.MemberId });
        Assert.Equal(0, left.ErrorCode);
    }
}
