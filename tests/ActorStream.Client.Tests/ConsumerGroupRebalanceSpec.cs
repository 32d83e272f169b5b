using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Tests.Support;
using ActorStream.Protocol;
using ActorStream.Protocol.Group;
using ActorStream.TestKit;

namespace ActorStream.Client.Tests;

/// <summary>How a subscribed consumer behaves through rebalances: cooperative hand-over, poll timeout, static membership, stale commits.</summary>
[Collection(BrokerCollection.Name)]
public class ConsumerGroupRebalanceSpec(BrokerFixture broker)
{
    private static string UniqueGroup() => "g-" + Guid.NewGuid().ToString("N")[..12];

    private ConsumerConfig GroupConfig(string group) => Clients.Consumer(broker.Bootstrap) with
    {
        GroupId = group,
        EnableAutoCommit = false,
        HeartbeatIntervalMs = 200,
        SessionTimeoutMs = 30_000,
    };

    private static HashSet<TopicPartition> Partitions(string topic, int count) =>
        Enumerable.Range(0, count).Select(p => new TopicPartition(topic, p)).ToHashSet();

    /// <summary>Polls every consumer (the group only progresses while members poll) until <paramref name="done"/> holds.</summary>
    private static async Task PollUntilAsync(Func<bool> done, params Consumer<string, string>[] consumers)
    {
        using var cts = new CancellationTokenSource(Clients.Patience);
        while (!done())
        {
            cts.Token.ThrowIfCancellationRequested();
            foreach (var consumer in consumers)
            {
                await consumer.PollAsync(TimeSpan.FromMilliseconds(50), cts.Token);
            }
        }
    }

    [Fact]
    public async Task Cooperative_sticky_must_revoke_only_the_partitions_that_move()
    {
        var topic = await broker.CreateTopicAsync("grp-coop", 6);
        var group = UniqueGroup();
        var config = GroupConfig(group) with { PartitionAssignmentStrategy = "cooperative-sticky" };
        var listenerA = new RecordingListener();
        await using var a = new Consumer<string, string>(config);
        a.Subscribe([topic], listenerA);
        await PollUntilAsync(() => a.Assignment.Count == 6, a);
        var heldBefore = a.Assignment.ToHashSet();

        var listenerB = new RecordingListener();
        await using var b = new Consumer<string, string>(config);
        b.Subscribe([topic], listenerB);
        await PollUntilAsync(() => a.Assignment.Count == 3 && b.Assignment.Count == 3, a, b);

        Assert.Equal(Partitions(topic, 6), heldBefore);
        Assert.Empty(a.Assignment.Intersect(b.Assignment));
        // A gave up exactly what B now has, and nothing it kept was ever revoked or lost.
        Assert.Equal(b.Assignment.ToHashSet(), listenerA.Revoked.ToHashSet());
        Assert.Empty(listenerA.Revoked.Intersect(a.Assignment));
        Assert.Empty(listenerA.Lost);
        Assert.Equal(b.Assignment.ToHashSet(), listenerB.Assigned.ToHashSet());
    }

    [Fact]
    public async Task A_member_that_stops_polling_must_leave_and_rejoin_when_it_polls_again()
    {
        var topic = await broker.CreateTopicAsync("grp-poll-timeout", 2);
        var group = UniqueGroup();
        var listenerSlow = new RecordingListener();
        await using var slow = new Consumer<string, string>(GroupConfig(group) with { MaxPollIntervalMs = 1500 });
        await using var busy = new Consumer<string, string>(GroupConfig(group) with { MaxPollIntervalMs = 60_000 });
        slow.Subscribe([topic], listenerSlow);
        busy.Subscribe([topic]);
        await PollUntilAsync(() => slow.Assignment.Count == 1 && busy.Assignment.Count == 1, slow, busy);

        // Only busy polls: slow exceeds max.poll.interval.ms, leaves, and busy gets both partitions.
        await PollUntilAsync(() => busy.Assignment.Count == 2, busy);
        Assert.Empty(listenerSlow.Lost);

        // Slow's next poll learns its partitions were lost and rejoins; the group shares again.
        await PollUntilAsync(() => slow.Assignment.Count == 1 && busy.Assignment.Count == 1, slow, busy);
        Assert.Single(listenerSlow.Lost);
        Assert.Empty(slow.Assignment.Intersect(busy.Assignment));
    }

    [Fact]
    public async Task A_static_member_that_closes_and_comes_back_within_the_session_timeout_must_keep_its_partitions_without_a_rebalance()
    {
        var topic = await broker.CreateTopicAsync("grp-static", 3);
        var group = UniqueGroup();
        var config = GroupConfig(group) with { GroupInstanceId = "instance-1" };
        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap });

        var first = new Consumer<string, string>(config);
        first.Subscribe([topic]);
        await PollUntilAsync(() => first.Assignment.Count == 3, first);
        var before = await admin.DescribeGroupAsync(group);
        await first.DisposeAsync();

        // Closing did not leave: the member and its partitions stay, in the same generation.
        var closed = await admin.DescribeGroupAsync(group);
        var kept = Assert.Single(closed.Members);
        Assert.Equal("instance-1", kept.GroupInstanceId);
        Assert.Equal(Partitions(topic, 3), kept.Assignment.ToHashSet());
        Assert.Equal(before.GenerationId, closed.GenerationId);

        await using var second = new Consumer<string, string>(config);
        second.Subscribe([topic]);
        await PollUntilAsync(() => second.Assignment.Count == 3, second);
        var after = await admin.DescribeGroupAsync(group);
        Assert.Equal(before.GenerationId, after.GenerationId);
        Assert.Equal("Stable", after.State);
        Assert.Equal("instance-1", Assert.Single(after.Members).GroupInstanceId);
    }

    [Fact]
    public async Task A_commit_from_an_older_generation_must_be_rejected_with_illegal_generation()
    {
        var topic = await broker.CreateTopicAsync("grp-stale", 2);
        var group = UniqueGroup();
        await using var a = new Consumer<string, string>(GroupConfig(group));
        a.Subscribe([topic]);
        await PollUntilAsync(() => a.Assignment.Count == 2, a);
        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap });
        var first = await admin.DescribeGroupAsync(group);
        var memberId = Assert.Single(first.Members).MemberId;

        await using var b = new Consumer<string, string>(GroupConfig(group));
        b.Subscribe([topic]);
        await PollUntilAsync(() => a.Assignment.Count == 1 && b.Assignment.Count == 1, a, b);
        var second = await admin.DescribeGroupAsync(group);
        Assert.True(second.GenerationId > first.GenerationId);

        var connection = await (Task<ActorStream.Client.Connection.ClientConnection>)a.ConnectedTask;
        var stale = new OffsetCommitRequest { GroupId = group, MemberId = memberId, GenerationId = first.GenerationId };
        stale.Offsets.Add(new OffsetCommitPartition { Topic = topic, Partition = a.Assignment.Single().Partition, Offset = 0 });
        var response = await connection.AskAnyAsync<OffsetCommitResponse>(stale, CancellationToken.None);
        Assert.Equal(ErrorCode.IllegalGeneration, (ErrorCode)Assert.Single(response.Partitions).ErrorCode);

        // The current generation commits fine, but not a partition another member owns.
        a.Commit(new Dictionary<TopicPartition, long> { [a.Assignment.Single()] = 0 });
        var error = await Assert.ThrowsAsync<ActorStreamException>(() => a.CommitAsync(new Dictionary<TopicPartition, long> { [b.Assignment.Single()] = 0 }));
        Assert.Equal(ErrorCode.IllegalGeneration, error.ErrorCode);
    }

    [Fact]
    public async Task A_pattern_subscription_must_pick_up_matching_topics_created_later_and_ignore_others()
    {
        var prefix = "rx" + Guid.NewGuid().ToString("N")[..10];
        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap });
        await admin.CreateTopicsAsync(prefix + "-a", 2, 1);
        await admin.CreateTopicsAsync("x" + prefix + "-a", 1, 1);
        await using var consumer = new Consumer<string, string>(GroupConfig(UniqueGroup()));
        consumer.Subscribe(new System.Text.RegularExpressions.Regex(prefix + "-.*"));
        await PollUntilAsync(() => consumer.Assignment.Count == 2, consumer);
        Assert.Equal(Partitions(prefix + "-a", 2), consumer.Assignment.ToHashSet());

        await admin.CreateTopicsAsync(prefix + "-b", 1, 1);
        await using (var producer = new Producer.Producer<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap }))
        {
            await producer.ProduceAsync(prefix + "-b", "k", "late topic");
        }

        var seen = new List<string>();
        using var cts = new CancellationTokenSource(Clients.Patience);
        while (!seen.Contains("late topic"))
        {
            seen.AddRange((await consumer.PollAsync(TimeSpan.FromMilliseconds(100), cts.Token)).Select(r => r.Value!));
        }

        Assert.Equal(Partitions(prefix + "-a", 2).Append(new TopicPartition(prefix + "-b", 0)).ToHashSet(), consumer.Assignment.ToHashSet());
    }

    private sealed class RecordingListener : IConsumerRebalanceListener
    {
        public List<TopicPartition> Assigned { get; } = [];

        public List<TopicPartition> Revoked { get; } = [];

        public List<TopicPartition> Lost { get; } = [];

        public void OnPartitionsAssigned(IReadOnlyCollection<TopicPartition> partitions) => Assigned.AddRange(partitions);

        public void OnPartitionsRevoked(IReadOnlyCollection<TopicPartition> partitions) => Revoked.AddRange(partitions);

        public void OnPartitionsLost(IReadOnlyCollection<TopicPartition> partitions) => Lost.AddRange(partitions);
    }
}
