using Akka.Actor;
using ActorStream.Broker.Configs;
using ActorStream.Broker.Logs;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.Storage.Log;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// The Kafka admin APIs that involve several nodes, on a three-node cluster: DeleteRecords at the leader is applied by the
/// follower too; ElectLeaders answers per partition (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE, unknown ones);
/// ListPartitionReassignments shows a reassignment held up by a new replica cut off from the leader, with its adding
/// replicas, until it completes.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class ClusterAdminSpec
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    private const string Config = """
        actorstream.broker.replication.lag-time-max = 2s
        actorstream.broker.request-timeout = 5s
        akka.cluster.sharding.rebalance-interval = 1s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 120s
        """;

    [Fact]
    public async Task DeleteRecords_ElectLeaders_and_ListPartitionReassignments_must_work_across_nodes()
    {
        await using var cluster = await TestCluster.StartAsync(3, Config, throttled: true);
        var topic = await ReplicatedTopic.CreateAsync(cluster, "admin", minInsync: 1, replicationFactor: 2);
        var placed = await topic.AwaitPartitionAsync(0, p => p.Isr.Count == 2 && p.LeaderId == p.Replicas[0], "the preferred replica leads with 2 in-sync replicas");
        var (leader, follower) = (placed.Replicas[0], placed.Replicas[1]);
        var newcomer = Enumerable.Range(0, 3).Single(n => !placed.Replicas.Contains(n));
        await topic.AwaitPartitionAsync(leader, p => p.LeaderId == leader, "the leader's endpoint knows it leads");
        Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[leader], ReplicatedTopic.Values("v", 0, 10), acks: -1)).ErrorCode);

        // DeleteRecords at the leader; the follower's copy moves its log start offset too.
        var deleted = await cluster[leader].Endpoint.Ask<DeleteRecordsResponse>(
            new DeleteRecordsRequest { Partitions = { new DeleteRecordsPartition { Topic = topic.Name, Partition = 0, Offset = 6 } } }, AskTimeout);
        Assert.Equal((0, 6L), (deleted.Partitions.Single().ErrorCode, deleted.Partitions.Single().LowWatermark));
        var followerStart = Path.Combine(topic.DirectoryOn(follower), LogFileUtils.LogStartOffsetFile);
        await Eventually.TrueAsync(() => LogStartOffsetOnDisk(followerStart) == 6, TestCluster.Timeout, $"node {follower}'s copy starts at offset 6");
        var notLeader = await cluster[follower].Endpoint.Ask<DeleteRecordsResponse>(
            new DeleteRecordsRequest { Partitions = { new DeleteRecordsPartition { Topic = topic.Name, Partition = 0, Offset = -1 } } }, AskTimeout);
        Assert.Equal((int)ErrorCode.NotLeaderOrFollower, notLeader.Partitions.Single().ErrorCode);

        // An altered segment.bytes reaches the follower's copy too: it rolls small segments from then on. A describe on
        // another node sees the change at once (it reads the controller's state).
        var altered = await cluster[newcomer].Endpoint.Ask<AlterConfigsResponse>(new AlterConfigsRequest
        {
            Incremental = true,
            Resources = { new AlterConfigsResource { ResourceType = ConfigResourceType.Topic, ResourceName = topic.Name, Configs = { new AlterableConfig { Name = "segment.bytes", Value = "1024" } } } },
        }, AskTimeout);
        Assert.Equal(0, altered.Results.Single().ErrorCode);
        var described = await cluster[follower].Endpoint.Ask<DescribeConfigsResponse>(new DescribeConfigsRequest
        {
            Resources =
            {
                new DescribeConfigsResource { ResourceType = ConfigResourceType.Topic, ResourceName = topic.Name, ConfigNames = { "segment.bytes" } },
                new DescribeConfigsResource { ResourceType = ConfigResourceType.Broker, ResourceName = leader.ToString(System.Globalization.CultureInfo.InvariantCulture), ConfigNames = { "node.id", "log.dirs" } },
            },
        }, AskTimeout);
        Assert.Equal(("1024", ConfigSource.TopicConfig), (described.Results[0].Configs.Single().Value, described.Results[0].Configs.Single().ConfigSource));
        // A broker resource of another node is answered by that node.
        Assert.Equal([leader.ToString(System.Globalization.CultureInfo.InvariantCulture), cluster[leader].Settings.LogsDir], described.Results[1].Configs.Select(c => c.Value));
        var produced = 10;
        await Eventually.TrueAsync(async () =>
        {
            Assert.Equal(ErrorCode.None, (ErrorCode)(await topic.ProduceAsync(cluster[leader], ReplicatedTopic.Values("s", produced, 5), acks: -1)).ErrorCode);
            produced += 5;
            return Directory.GetFiles(topic.DirectoryOn(follower), "*" + LogFileUtils.LogSuffix).Length > 2;
        }, TestCluster.Timeout, $"node {follower}'s copy rolls segments of segment.bytes=1024");

        var elect = await ElectAsync(cluster[follower], topic.Name, [0, 5]);
        Assert.Equal([ErrorCode.ElectionNotNeeded, ErrorCode.UnknownTopicOrPartition], elect.Partitions.Select(p => (ErrorCode)p.ErrorCode));
        var unclean = await ElectAsync(cluster[follower], topic.Name, [0], electionType: 1);
        Assert.Equal((int)ErrorCode.InvalidRequest, unclean.ErrorCode);
        Assert.Contains("unclean.leader.election.enable", unclean.ErrorMessage, StringComparison.Ordinal);

        // A new preferred replica cut off from the leader cannot catch up: the reassignment stays listed, and the new
        // preferred replica is not available for a preferred election.
        Assert.Empty((await ListAsync(cluster[follower])).Reassignments);
        await NetworkCut.BlackholeAsync(cluster, newcomer, leader);
        var reassigned = await cluster[follower].Endpoint.Ask<ReassignPartitionsResponse>(new ReassignPartitionsRequest
        {
            Partitions = { new PartitionReassignment { Topic = topic.Name, Partition = 0, Replicas = { newcomer, leader, follower } } },
        }, AskTimeout);
        Assert.Equal(0, reassigned.Results.Single().ErrorCode);
        var ongoing = Assert.Single((await ListAsync(cluster[follower])).Reassignments);
        Assert.Equal((topic.Name, 0), (ongoing.Topic, ongoing.Partition));
        Assert.Equal([newcomer, leader, follower], ongoing.Replicas);
        Assert.Equal([newcomer], ongoing.AddingReplicas);
        Assert.Empty(ongoing.RemovingReplicas);
        Assert.Empty((await ListAsync(cluster[follower], "other-topic")).Reassignments);
        Assert.Single((await ListAsync(cluster[follower], topic.Name)).Reassignments);
        Assert.Equal(ErrorCode.PreferredLeaderNotAvailable, (ErrorCode)(await ElectAsync(cluster[follower], topic.Name, [0])).Partitions.Single().ErrorCode);

        await NetworkCut.HealAsync(cluster, newcomer, leader);
        await Eventually.TrueAsync(async () => (await ListAsync(cluster[follower])).Reassignments.Count == 0, TestCluster.Timeout, "the reassignment completes once the new replica catches up");
        // The new preferred replica takes over (the placement's rebalance); ElectLeaders waits for it or finds it done.
        var moved = await ElectAsync(cluster[follower], topic.Name, [0]);
        Assert.Contains((ErrorCode)moved.Partitions.Single().ErrorCode, new[] { ErrorCode.None, ErrorCode.ElectionNotNeeded });
        await topic.AwaitPartitionAsync(follower, p => p.LeaderId == newcomer, $"node {newcomer} leads");
        // The new replica's copy starts where the leader's did after DeleteRecords.
        Assert.Equal(6, LogStartOffsetOnDisk(Path.Combine(topic.DirectoryOn(newcomer), LogFileUtils.LogStartOffsetFile)));
    }

    /// <summary>The log start offset checkpoint of a node's copy (one number); null while it is missing or being replaced.</summary>
    private static long? LogStartOffsetOnDisk(string path)
    {
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task<ElectLeadersResponse> ElectAsync(Hosting.BrokerNode node, string topic, int[] partitions, int electionType = 0)
    {
        var request = new ElectLeadersRequest { ElectionType = electionType, TimeoutMs = 20_000 };
        request.Topics.Add(new ElectLeadersPartitions { Topic = topic, Partitions = { partitions } });
        return await node.Endpoint.Ask<ElectLeadersResponse>(request, AskTimeout);
    }

    private static async Task<ListPartitionReassignmentsResponse> ListAsync(Hosting.BrokerNode node, string? topic = null)
    {
        var request = new ListPartitionReassignmentsRequest();
        if (topic is not null)
        {
            request.Topics.Add(new ListPartitionReassignmentsTopic { Topic = topic });
        }

        return await node.Endpoint.Ask<ListPartitionReassignmentsResponse>(request, AskTimeout);
    }
}
