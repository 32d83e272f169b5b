using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;

namespace ActorStream.Client.Tests;

/// <summary>Consumer groups end to end through a real node: subscribe, rebalance, commit, resume, admin describe.</summary>
[Collection(BrokerCollection.Name)]
public class ConsumerGroupSpec(BrokerFixture broker)
{
    private static string UniqueGroup() => "g-" + Guid.NewGuid().ToString("N")[..12];

    private ConsumerConfig GroupConfig(string group, bool autoCommit = false) => Clients.Consumer(broker.Bootstrap) with
    {
        GroupId = group,
        EnableAutoCommit = autoCommit,
        HeartbeatIntervalMs = 200,
        SessionTimeoutMs = 10_000,
    };

    private async Task ProduceAsync(string topic, int count, int partitions)
    {
        await using var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap });
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => producer.ProduceAsync(topic, $"k{i}", $"v{i}", partition: i % partitions)));
    }

    [Fact]
    public async Task Two_members_must_share_the_partitions_and_read_every_record_once()
    {
        var topic = await broker.CreateTopicAsync("grp-share", 4);
        var group = UniqueGroup();
        await ProduceAsync(topic, 200, 4);

        await using var a = new Consumer<string, string>(GroupConfig(group, autoCommit: true) with { AutoCommitIntervalMs = 100 });
        await using var b = new Consumer<string, string>(GroupConfig(group, autoCommit: true) with { AutoCommitIntervalMs = 100 });
        a.Subscribe([topic]);
        b.Subscribe([topic]);

        var seen = new List<string>();
        using var cts = new CancellationTokenSource(Clients.Patience);
        // Poll both until each holds partitions, together all 4, and every record arrived.
        while (!(seen.Count >= 200 && a.Assignment.Count > 0 && b.Assignment.Count > 0 && a.Assignment.Count + b.Assignment.Count == 4))
        {
            cts.Token.ThrowIfCancellationRequested();
            seen.AddRange((await a.PollAsync(TimeSpan.FromMilliseconds(100), cts.Token)).Select(r => r.Value!));
            seen.AddRange((await b.PollAsync(TimeSpan.FromMilliseconds(100), cts.Token)).Select(r => r.Value!));
        }

        Assert.Empty(a.Assignment.Intersect(b.Assignment));
        Assert.Equal(Enumerable.Range(0, 4).Select(p => new TopicPartition(topic, p)).ToHashSet(), a.Assignment.Union(b.Assignment).ToHashSet());
        Assert.Equal(200, seen.Count);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"v{i}").Order(), seen.Order());
    }

    [Fact]
    public async Task A_new_member_must_resume_from_the_committed_offset()
    {
        var topic = await broker.CreateTopicAsync("grp-resume", 1);
        var group = UniqueGroup();
        await ProduceAsync(topic, 10, 1);
        var tp = new TopicPartition(topic, 0);

        var first = new Consumer<string, string>(GroupConfig(group) with { MaxPollRecords = 4 });
        first.Subscribe([topic]);
        var read = await Clients.ConsumeAsync(first, 4);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => (long)i), read.Take(4).Select(r => r.Offset));
        first.Commit(new Dictionary<TopicPartition, long> { [tp] = 4 });
        await first.DisposeAsync();

        await using var second = new Consumer<string, string>(GroupConfig(group));
        second.Subscribe([topic]);
        var rest = await Clients.ConsumeAsync(second, 6);
        Assert.Equal(Enumerable.Range(4, 6).Select(i => (long)i), rest.Select(r => r.Offset));
        Assert.Equal(4, (await second.CommittedAsync([tp]))[tp]);
    }

    [Fact]
    public async Task Two_groups_must_read_independently_and_lag_must_be_log_end_minus_committed()
    {
        var topic = await broker.CreateTopicAsync("grp-indep", 2);
        await ProduceAsync(topic, 20, 2);
        var g1 = UniqueGroup();
        var g2 = UniqueGroup();

        await using var c1 = new Consumer<string, string>(GroupConfig(g1));
        await using var c2 = new Consumer<string, string>(GroupConfig(g2));
        c1.Subscribe([topic]);
        c2.Subscribe([topic]);
        Assert.Equal(20, (await Clients.ConsumeAsync(c1, 20)).Count);
        Assert.Equal(20, (await Clients.ConsumeAsync(c2, 20)).Count);

        c1.Commit(new Dictionary<TopicPartition, long> { [new TopicPartition(topic, 0)] = 3, [new TopicPartition(topic, 1)] = 10 });
        await c2.CommitAsync();

        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = broker.Bootstrap });
        Assert.Contains(await admin.ListGroupsAsync(), g => g.GroupId == g1);
        var d1 = await admin.DescribeGroupAsync(g1);
        Assert.Equal("Stable", d1.State);
        var member = Assert.Single(d1.Members);
        Assert.Equal(2, member.Assignment.Count);
        Assert.Equal([(0, 3L, 10L, 7L), (1, 10L, 10L, 0L)], d1.Offsets.Select(o => (o.TopicPartition.Partition, o.CommittedOffset!.Value, o.LogEndOffset, o.Lag!.Value)));
        Assert.All(d1.Offsets, o => Assert.Equal(member.MemberId, o.MemberId));
        var d2 = await admin.DescribeGroupAsync(g2);
        Assert.All(d2.Offsets, o => Assert.Equal(0L, o.Lag));

        await c1.DisposeAsync();
        await admin.DeleteGroupsAsync([g1]);
        Assert.DoesNotContain(await admin.ListGroupsAsync(), g => g.GroupId == g1);
    }

    [Fact]
    public async Task Commit_from_a_closed_consumer_must_fail_clearly()
    {
        var topic = await broker.CreateTopicAsync("grp-closed", 1);
        var consumer = new Consumer<string, string>(GroupConfig(UniqueGroup()));
        consumer.Subscribe([topic]);
        await consumer.PollAsync(TimeSpan.FromMilliseconds(500));
        consumer.Close();
        Assert.Throws<ObjectDisposedException>(() => consumer.Commit(new Dictionary<TopicPartition, long> { [new TopicPartition(topic, 0)] = 1 }));

        await using var noGroup = new Consumer<string, string>(Clients.Consumer(broker.Bootstrap));
        Assert.Throws<InvalidOperationException>(() => noGroup.Subscribe([topic]));
    }
}
