using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ActorStream.Kafka.Tests.Support;
using static ActorStream.Kafka.Tests.Groups.GroupConsumers;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Static membership (KIP-345, <c>group.instance.id</c>) with Confluent.Kafka on one node: a static member's close
/// sends no LeaveGroup, and the same instance restarted within its session timeout takes its old place (a new member
/// id, the same partitions) without a rebalance: the other member sees no revoke and no assign. A second consumer
/// started with an instance id already in use replaces the first, which is fenced (FENCED_INSTANCE_ID).
/// </summary>
[Collection(KafkaGroupNodeCollection.Name)]
public sealed class ConfluentStaticMembershipSpec(KafkaGroupNode node, ITestOutputHelper output)
{
    private const int Partitions = 6;

    /// <summary>Room for a restart on loaded cores: the old member id must not expire before its instance is back.</summary>
    private const int StaticSessionTimeoutMs = 15_000;

    private ConsumerConfig Static(string group, string instance, string clientId) => Config(node.KafkaBootstrap, group, clientId, c =>
    {
        c.GroupInstanceId = instance;
        c.SessionTimeoutMs = StaticSessionTimeoutMs;
        c.StatisticsIntervalMs = 200;
    });

    // Flaky (1 of 3 fresh-clone runs): the other member once saw a rebalance callback during the restart; not yet
    // explained (a client-side metadata rejoin or a coordinator bug). Kip848ConsumerSpec's static case passes.
    [Fact]
    public async Task A_restarted_static_member_must_get_its_partitions_back_without_a_rebalance()
    {
        var topic = await node.CreateTopicAsync("static", Partitions);
        var group = UniqueGroup("static");
        var a = GroupConsumer.Start("a", Static(group, "instance-a", "a"), topic, output);
        var b = GroupConsumer.Start("b", Static(group, "instance-b", "b"), topic, output);
        try
        {
            await UntilAsync(() => Split(Partitions, a, b), "a and b split the 6 partitions", () => Describe(a, b) + "\n" + node.Output());

            // Each instance in turn (one of them is the group's leader): restarted, it is back where it was and the
            // other notices nothing.
            a = await RestartAsync(a, b, group, "instance-a", topic);
            b = await RestartAsync(b, a, group, "instance-b", topic);

            using var admin = KafkaClients.Admin(node.KafkaBootstrap, output);
            var description = (await admin.DescribeConsumerGroupsAsync([group], new DescribeConsumerGroupsOptions { RequestTimeout = KafkaClients.Timeout })).ConsumerGroupDescriptions.Single();
            Assert.Equal(ConsumerGroupState.Stable, description.State);
            Assert.Equal(
                [("instance-a", a.MemberId), ("instance-b", b.MemberId)],
                description.Members.Select(m => (m.GroupInstanceId, m.ConsumerId)).OrderBy(m => m.GroupInstanceId, StringComparer.Ordinal));
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_second_consumer_with_an_instance_id_in_use_must_take_its_place_and_the_first_must_be_fenced()
    {
        var topic = await node.CreateTopicAsync("fenced", Partitions);
        var group = UniqueGroup("fenced");
        await using var first = GroupConsumer.Start("first", Static(group, "instance-x", "first"), topic, output);
        await UntilAsync(() => first.AssignedPartitions.Count == Partitions, "first holds the 6 partitions", () => Describe(first) + "\n" + node.Output());

        await using var second = GroupConsumer.Start("second", Static(group, "instance-x", "second"), topic, output);
        await UntilAsync(() => second.AssignedPartitions.Count == Partitions, "second holds the 6 partitions", () => Describe(first, second) + "\n" + node.Output());
        // The first one's next heartbeat (or commit) names the stale member id: librdkafka raises a fatal error.
        await UntilAsync(
            () => first.Errors.Any(e => IsFenced(e.Error)) || first.ClientErrors.Any(IsFenced),
            "first is fenced (FENCED_INSTANCE_ID)",
            () => Describe(first, second) + $"\nclient errors: {string.Join("; ", first.ClientErrors.Select(e => $"{e.Code}: {e.Reason}"))}\n" + node.Output());
    }

    /// <summary>librdkafka reports FENCED_INSTANCE_ID as a fatal error: either with that code or as <c>Local_Fatal</c> naming it.</summary>
    private static bool IsFenced(Error error) =>
        error.Code == ErrorCode.FencedInstanceId ||
        (error.IsFatal && error.Reason.Contains("fenced", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Closes <paramref name="member"/> (a static member: no LeaveGroup) and starts its instance again; returns the new
    /// consumer once it has the same partitions, after checking that <paramref name="other"/> saw no rebalance.
    /// </summary>
    private async Task<GroupConsumer> RestartAsync(GroupConsumer member, GroupConsumer other, string group, string instance, string topic)
    {
        var held = member.AssignedPartitions;
        var oldMemberId = member.MemberId;
        var otherEvents = other.Events.Count;
        // The baseline must come from statistics librdkafka emitted after the split: a snapshot taken before it and
        // delivered late would still count the rebalance that made the split (queued statistics lag the callbacks).
        var statistics = other.StatisticsCount;
        await UntilAsync(() => other.StatisticsCount >= statistics + 3, $"{other.Name}'s statistics since the split", () => Describe(member, other));
        var otherRebalances = other.RebalanceCount;
        await member.StopAsync();
        await member.DisposeAsync();

        var name = member.Name + "'";
        var restarted = GroupConsumer.Start(name, Static(group, instance, name), topic, output);
        try
        {
            await UntilAsync(() => restarted.AssignedPartitions.Count > 0, $"{name} is assigned partitions", () => Describe(restarted, other) + "\n" + node.Output());
            Assert.Equal(held, restarted.AssignedPartitions);
            Assert.NotEqual(oldMemberId, restarted.MemberId);

            // A rebalance would reach the other member through its heartbeats (REBALANCE_IN_PROGRESS): let it send a
            // few more, then it must still have had no callback and librdkafka must count no rebalance.
            var heartbeats = other.HeartbeatsSent;
            await UntilAsync(() => other.HeartbeatsSent >= heartbeats + 4, $"{other.Name} sends 4 more heartbeats", () => Describe(restarted, other));
            Assert.Equal(otherEvents, other.Events.Count);
            Assert.Equal(otherRebalances, other.RebalanceCount);
            Assert.Equal(held, restarted.AssignedPartitions);
            output.WriteLine($"{name} back with [{string.Join(',', held)}]; {other.Name} sent {other.HeartbeatsSent - heartbeats} heartbeats since, rebalances still {other.RebalanceCount}");
            return restarted;
        }
        catch
        {
            await restarted.DisposeAsync();
            throw;
        }
    }
}
