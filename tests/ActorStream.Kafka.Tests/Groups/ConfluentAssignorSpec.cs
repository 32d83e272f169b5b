using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ActorStream.Kafka.Tests.Support;
using static ActorStream.Kafka.Tests.Groups.GroupConsumers;

namespace ActorStream.Kafka.Tests.Groups;

/// <summary>
/// Confluent.Kafka's client-side assignors on one node: the coordinator votes over the members' protocol names, hands
/// the leader every member's subscription, and relays the leader's assignment untouched. <c>range</c> and
/// <c>roundrobin</c> give their own layouts; a vote picks the one protocol every member supports, and a member with
/// none in common is refused (INCONSISTENT_GROUP_PROTOCOL). <c>cooperative-sticky</c> rebalances incrementally: a
/// member only gives up the partitions that move, and no partition is ever held by two members at once (checked from
/// the consumers' own callbacks).
/// </summary>
[Collection(KafkaGroupNodeCollection.Name)]
public sealed class ConfluentAssignorSpec(KafkaGroupNode node, ITestOutputHelper output)
{
    private const int Partitions = 6;

    [Theory]
    [InlineData("range", "range", "0,1,2", "3,4,5")]
    [InlineData("roundrobin", "roundrobin", "0,2,4", "1,3,5")]
    // The vote: "range" is a's first choice, but b supports only "roundrobin".
    [InlineData("range,roundrobin", "roundrobin", "0,2,4", "1,3,5")]
    public async Task The_chosen_assignor_must_lay_out_the_partitions(string strategiesOfA, string strategiesOfB, string layout1, string layout2)
    {
        var topic = await node.CreateTopicAsync("assignor", Partitions);
        var group = UniqueGroup("assignor");
        await using var a = GroupConsumer.Start("a", Config(node.KafkaBootstrap, group, "a", c => c.Set("partition.assignment.strategy", strategiesOfA)), topic, output);
        await using var b = GroupConsumer.Start("b", Config(node.KafkaBootstrap, group, "b", c => c.Set("partition.assignment.strategy", strategiesOfB)), topic, output);
        await UntilAsync(() => Split(Partitions, a, b), "a and b split the 6 partitions", () => Describe(a, b) + "\n" + node.Output());

        // Which member comes first in the layout depends on the member ids (the assignors sort them).
        var layouts = new[] { string.Join(',', a.AssignedPartitions), string.Join(',', b.AssignedPartitions) }.Order(StringComparer.Ordinal);
        Assert.Equal(new[] { layout1, layout2 }.Order(StringComparer.Ordinal), layouts);

        var expected = strategiesOfB;
        using var admin = KafkaClients.Admin(node.KafkaBootstrap, output);
        var description = (await admin.DescribeConsumerGroupsAsync([group], new DescribeConsumerGroupsOptions { RequestTimeout = KafkaClients.Timeout })).ConsumerGroupDescriptions.Single();
        Assert.Equal(expected, description.PartitionAssignor);
    }

    [Fact]
    public async Task A_member_with_no_assignor_in_common_with_the_group_must_get_INCONSISTENT_GROUP_PROTOCOL()
    {
        var topic = await node.CreateTopicAsync("inconsistent", Partitions);
        var group = UniqueGroup("inconsistent");
        await using var a = GroupConsumer.Start("a", Config(node.KafkaBootstrap, group, "a", c => c.PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range), topic, output);
        await UntilAsync(() => a.AssignedPartitions.Count == Partitions, "a holds the 6 partitions", () => Describe(a) + "\n" + node.Output());

        await using var b = GroupConsumer.Start("b", Config(node.KafkaBootstrap, group, "b", c => c.PartitionAssignmentStrategy = PartitionAssignmentStrategy.RoundRobin), topic, output);
        await UntilAsync(
            () => b.Errors.Any(e => e.Error.Code == ErrorCode.InconsistentGroupProtocol),
            "b is refused with INCONSISTENT_GROUP_PROTOCOL",
            () => Describe(a, b) + "\n" + node.Output());
        Assert.Empty(b.AssignedPartitions);
        Assert.Equal(Partitions, a.AssignedPartitions.Count);
    }

    [Fact]
    public async Task Cooperative_sticky_must_move_only_the_partitions_that_change_owner_and_never_give_one_to_two_members()
    {
        var topic = await node.CreateTopicAsync("cooperative", Partitions);
        var group = UniqueGroup("cooperative");
        var ownership = new PartitionOwnership();
        ConsumerConfig Cooperative(string name) => Config(node.KafkaBootstrap, group, name, c => c.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky);
        string State(params GroupConsumer[] consumers) => $"{Describe(consumers)}\nowners: {ownership}\nviolations: {string.Join("; ", ownership.Violations)}\n{node.Output()}";

        await using var c1 = GroupConsumer.Start("c1", Cooperative("c1"), topic, output, ownership);
        await UntilAsync(() => c1.AssignedPartitions.Count == Partitions, "c1 holds the 6 partitions", () => State(c1));

        // c2 joins: c1 gives up 3 partitions (and only those: it keeps the others throughout), c2 gets them.
        var c1Before = c1.Events.Count;
        var c1Held = c1.AssignedPartitions;
        await using var c2 = GroupConsumer.Start("c2", Cooperative("c2"), topic, output, ownership);
        await UntilAsync(() => Split(Partitions, c1, c2) && c1.AssignedPartitions.Count == 3, "c1 and c2 hold 3 partitions each", () => State(c1, c2));
        AssertIncremental(c1, c1Before, c1Held, movedTo: c2.AssignedPartitions);

        // c3 joins: one partition from each, nothing else moves.
        c1Before = c1.Events.Count;
        var c2Before = c2.Events.Count;
        c1Held = c1.AssignedPartitions;
        var c2Held = c2.AssignedPartitions;
        await using var c3 = GroupConsumer.Start("c3", Cooperative("c3"), topic, output, ownership);
        await UntilAsync(
            () => Split(Partitions, c1, c2, c3) && c1.AssignedPartitions.Count == 2 && c2.AssignedPartitions.Count == 2,
            "c1, c2 and c3 hold 2 partitions each",
            () => State(c1, c2, c3));
        AssertIncremental(c1, c1Before, c1Held, movedTo: c3.AssignedPartitions);
        AssertIncremental(c2, c2Before, c2Held, movedTo: c3.AssignedPartitions);
        Assert.Subset(c1Held.ToHashSet(), c1.AssignedPartitions.ToHashSet());
        Assert.Subset(c2Held.ToHashSet(), c2.AssignedPartitions.ToHashSet());

        // c1 closes: c2 and c3 keep theirs and each gain one of c1's; neither gives anything up.
        var ofC1 = c1.AssignedPartitions;
        c2Before = c2.Events.Count;
        var c3Before = c3.Events.Count;
        c2Held = c2.AssignedPartitions;
        var c3Held = c3.AssignedPartitions;
        await c1.StopAsync();
        await UntilAsync(
            () => Split(Partitions, c2, c3) && c2.AssignedPartitions.Count == 3,
            "c2 and c3 hold 3 partitions each after c1 closed",
            () => State(c1, c2, c3));
        Assert.DoesNotContain(c2.Events.Skip(c2Before), e => e.Kind != "assigned");
        Assert.DoesNotContain(c3.Events.Skip(c3Before), e => e.Kind != "assigned");
        Assert.Superset(c2Held.ToHashSet(), c2.AssignedPartitions.ToHashSet());
        Assert.Superset(c3Held.ToHashSet(), c3.AssignedPartitions.ToHashSet());
        Assert.Equal(ofC1, c2.AssignedPartitions.Except(c2Held).Concat(c3.AssignedPartitions.Except(c3Held)).Order());

        Assert.Empty(ownership.Violations);

        // The members still read: every new record once, by its partition's owner.
        var produced = await ProduceAsync(node.KafkaBootstrap, topic, Partitions, perPartition: 5, "after", output);
        await UntilAsync(() => c2.Records.Count + c3.Records.Count >= produced.Count, "c2 and c3 read the 30 records", () => State(c2, c3));
        Assert.Equal(ProducedTo(produced, c2.AssignedPartitions), c2.Records.Select(r => r.Value).Order(StringComparer.Ordinal));
        Assert.Equal(ProducedTo(produced, c3.AssignedPartitions), c3.Records.Select(r => r.Value).Order(StringComparer.Ordinal));

        using var admin = KafkaClients.Admin(node.KafkaBootstrap, output);
        var description = (await admin.DescribeConsumerGroupsAsync([group], new DescribeConsumerGroupsOptions { RequestTimeout = KafkaClients.Timeout })).ConsumerGroupDescriptions.Single();
        Assert.Equal("cooperative-sticky", description.PartitionAssignor);
    }

    /// <summary>
    /// Since event <paramref name="since"/>, <paramref name="member"/> gave up exactly the partitions of
    /// <paramref name="heldBefore"/> it no longer holds, each once, all to the new member (an eager rebalance revokes
    /// everything and assigns back what stays), and lost none.
    /// </summary>
    private static void AssertIncremental(GroupConsumer member, int since, IReadOnlyList<int> heldBefore, IReadOnlyList<int> movedTo)
    {
        var events = member.Events.Skip(since).ToList();
        var revoked = events.Where(e => e.Kind == "revoked").SelectMany(e => e.Partitions).Order().ToList();
        Assert.DoesNotContain(events, e => e.Kind == "lost");
        Assert.NotEmpty(revoked);
        Assert.Equal(heldBefore.Except(member.AssignedPartitions).Order(), revoked);
        Assert.All(revoked, p => Assert.Contains(p, movedTo));
    }
}
