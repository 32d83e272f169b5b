using Akka.Actor;
using ActorStream.Protocol.Group;
using ActorStream.TestKit;
using BrokerNode = ActorStream.Broker.Hosting.BrokerNode;

namespace ActorStream.Broker.Tests.Group;

/// <summary>The group requests of the hand-over specs (SQLite and PostgreSQL journals): join, commit, fetch, through a node's endpoint.</summary>
public static class HandOverRequests
{
    /// <summary>One ask; during the hand-over the proxy buffers requests, so callers retry inside <see cref="Eventually"/>.</summary>
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public static async Task<JoinGroupResponse> JoinWithBothPartitionsAsync(BrokerNode node, string group, string topic)
    {
        JoinGroupRequest Join(string memberId) => new()
        {
            GroupId = group,
            MemberId = memberId,
            ClientId = "hand-over-spec",
            // Long enough that the member outlives the hand-over without heartbeats (the new coordinator restarts sessions).
            SessionTimeoutMs = 120_000,
            RebalanceTimeoutMs = 30_000,
            Topics = { topic },
            Assignors = { "range" },
        };

        var joined = await node.Endpoint.Ask<JoinGroupResponse>(Join(""), TestCluster.Timeout);
        Assert.Equal(0, joined.ErrorCode);
        // The coordinator may learn of the new topic just after the join: that starts a rebalance, which a rejoin completes.
        if (joined.Assignment.Count < 2)
        {
            await Eventually.AssertAsync(async () =>
            {
                joined = await node.Endpoint.Ask<JoinGroupResponse>(Join(joined.MemberId), AskTimeout);
                Assert.Equal(2, joined.Assignment.Count);
            }, TestCluster.Timeout);
        }

        return joined;
    }

    public static OffsetCommitRequest Commit(string group, string topic, JoinGroupResponse member, params (int Partition, long Offset, string? Metadata)[] offsets)
    {
        var request = new OffsetCommitRequest { GroupId = group, MemberId = member.MemberId, GenerationId = member.GenerationId };
        foreach (var (partition, offset, metadata) in offsets)
        {
            var commit = new OffsetCommitPartition { Topic = topic, Partition = partition, Offset = offset };
            if (metadata is not null)
            {
                commit.Metadata = metadata;
            }

            request.Offsets.Add(commit);
        }

        return request;
    }

    public static async Task<List<(int Partition, long Offset, string Metadata)>> FetchAsync(BrokerNode node, string group, string topic)
    {
        var fetched = await node.Endpoint.Ask<OffsetFetchResponse>(
            new OffsetFetchRequest { GroupId = group, Partitions = { new GroupPartition { Topic = topic, Partition = 0 }, new GroupPartition { Topic = topic, Partition = 1 } } },
            AskTimeout);
        Assert.Equal(0, fetched.ErrorCode);
        return fetched.Partitions.Select(p => (p.Partition, p.Offset, p.Metadata)).ToList();
    }
}
