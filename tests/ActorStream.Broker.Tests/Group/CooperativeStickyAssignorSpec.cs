using ActorStream.Broker.Group;
using ActorStream.Broker.Group.Assignors;
using static ActorStream.Broker.Tests.Group.AssignorTestData;

namespace ActorStream.Broker.Tests.Group;

public sealed class CooperativeStickyAssignorSpec
{
    private readonly CooperativeStickyAssignor _assignor = new();

    private static AssignorMember Owning(string memberId, string[] topics, params GroupTopicPartition[] owned) =>
        new(memberId, null, [.. topics], [.. owned]);

    private static GroupTopicPartition[] Range(string topic, int from, int to) =>
        Enumerable.Range(from, to - from + 1).Select(p => Tp(topic, p)).ToArray();

    [Fact]
    public void CooperativeSticky_must_start_balanced()
    {
        AssignorMember[] members = [new("a", "t"), new("b", "t"), new("c", "t")];
        var topics = Topics(("t", 7));
        var result = _assignor.Assign(members, topics);

        AssertCompleteAndExclusive(members, topics, result);
        Assert.Equal([3, 2, 2], result.OrderBy(kv => kv.Key).Select(kv => kv.Value.Length));
    }

    [Fact]
    public void CooperativeSticky_must_move_only_the_partitions_a_new_member_needs()
    {
        AssignorMember[] members =
        [
            Owning("a", ["t"], Range("t", 0, 2)),
            Owning("b", ["t"], Range("t", 3, 5)),
            new("c", "t"),
        ];
        var result = _assignor.Assign(members, Topics(("t", 6)));

        Assert.Equal(2, result["a"].Length);
        Assert.Equal(2, result["b"].Length);
        Assert.Equal(2, result["c"].Length);
        Assert.Subset(Range("t", 0, 2).ToHashSet(), result["a"].ToHashSet());
        Assert.Subset(Range("t", 3, 5).ToHashSet(), result["b"].ToHashSet());
    }

    [Fact]
    public void CooperativeSticky_must_keep_everything_when_a_member_leaves_and_share_only_its_partitions()
    {
        AssignorMember[] members = [Owning("a", ["t"], Range("t", 0, 1)), Owning("b", ["t"], Range("t", 2, 3))];
        var result = _assignor.Assign(members, Topics(("t", 6)));

        Assert.Equal<GroupTopicPartition>([Tp("t", 0), Tp("t", 1), Tp("t", 4)], result["a"]);
        Assert.Equal<GroupTopicPartition>([Tp("t", 2), Tp("t", 3), Tp("t", 5)], result["b"]);
    }

    [Fact]
    public void CooperativeSticky_must_drop_owned_partitions_that_are_unsubscribed_missing_or_claimed_twice()
    {
        AssignorMember[] members =
        [
            Owning("a", ["t"], Tp("t", 0), Tp("t", 9), Tp("gone", 0), Tp("u", 0)),
            Owning("b", ["t", "u"], Tp("t", 0), Tp("t", 1)),
        ];
        var topics = Topics(("t", 2), ("u", 1));
        var result = _assignor.Assign(members, topics);

        AssertCompleteAndExclusive(members, topics, result);
        Assert.Equal<GroupTopicPartition>([Tp("t", 0)], result["a"]);
        Assert.Equal<GroupTopicPartition>([Tp("t", 1), Tp("u", 0)], result["b"]);
    }

    [Fact]
    public void CooperativeSticky_must_stay_balanced_and_revoke_only_what_must_move_for_random_equal_subscriptions()
    {
        var random = new Random(20240611);
        for (var round = 0; round < 1000; round++)
        {
            var topicNames = Enumerable.Range(0, random.Next(1, 4)).Select(i => $"t{i}").ToArray();
            var topics = topicNames.ToDictionary(t => t, _ => random.Next(1, 13));
            var allPartitions = topics.SelectMany(t => Enumerable.Range(0, t.Value).Select(p => Tp(t.Key, p))).ToList();
            var memberCount = random.Next(1, 9);

            // Random previous ownership, including stale partitions (of a shrunk topic) and partitions claimed twice.
            var owned = Enumerable.Range(0, memberCount).Select(_ => new List<GroupTopicPartition>()).ToArray();
            foreach (var partition in allPartitions.Append(Tp("t0", 50)))
            {
                if (random.Next(4) > 0)
                {
                    owned[random.Next(memberCount)].Add(partition);
                }

                if (random.Next(20) == 0)
                {
                    owned[random.Next(memberCount)].Add(partition);
                }
            }

            var members = Enumerable.Range(0, memberCount)
                .Select(i => new AssignorMember($"m{i}", null, [.. topicNames], [.. owned[i]]))
                .ToArray();
            var result = _assignor.Assign(members, topics);

            AssertCompleteAndExclusive(members, topics, result);
            var floor = allPartitions.Count / memberCount;
            var ceil = floor + (allPartitions.Count % memberCount == 0 ? 0 : 1);
            Assert.All(result.Values, a => Assert.InRange(a.Length, floor, ceil));

            // What each member validly owned, with double claims resolved as the assignor documents (first member wins).
            var claimed = new HashSet<GroupTopicPartition>();
            var valid = members.ToDictionary(
                m => m.MemberId,
                m => m.OwnedPartitions.Where(p => topics.TryGetValue(p.Topic, out var n) && p.Partition < n && claimed.Add(p)).ToHashSet());
            var revoked = 0;
            foreach (var member in members)
            {
                var kept = valid[member.MemberId].Intersect(result[member.MemberId]).Count();
                var lost = valid[member.MemberId].Count - kept;
                var gained = result[member.MemberId].Length - kept;
                Assert.True(lost == 0 || gained == 0, $"round {round}: {member.MemberId} lost {lost} and gained {gained}");
                Assert.True(kept >= Math.Min(valid[member.MemberId].Count, floor), $"round {round}: {member.MemberId} kept {kept}");
                revoked += lost;
            }

            // The fewest revocations that can reach floor/ceil: trim everyone to ceil, then enough ceil members down to floor.
            var withExtra = allPartitions.Count % memberCount;
            var minimum = valid.Values.Sum(v => Math.Max(0, v.Count - ceil))
                + (ceil > floor ? Math.Max(0, valid.Values.Count(v => v.Count >= ceil) - withExtra) : 0);
            Assert.Equal(minimum, revoked);
        }
    }

    [Fact]
    public void CooperativeSticky_must_assign_everything_to_subscribers_and_leave_no_improving_move_for_random_subscriptions()
    {
        var random = new Random(7);
        for (var round = 0; round < 500; round++)
        {
            var topics = Enumerable.Range(0, random.Next(1, 5)).ToDictionary(i => $"t{i}", _ => random.Next(1, 9));
            var topicNames = topics.Keys.ToArray();
            var members = Enumerable.Range(0, random.Next(1, 7))
                .Select(i => new AssignorMember(
                    $"m{i}",
                    null,
                    [.. topicNames.Where(_ => random.Next(2) == 0).DefaultIfEmpty(topicNames[random.Next(topicNames.Length)])],
                    [.. topics.SelectMany(t => Enumerable.Range(0, t.Value).Select(p => Tp(t.Key, p))).Where(_ => random.Next(3) == 0)]))
                .ToArray();
            var result = _assignor.Assign(members, topics);

            AssertCompleteAndExclusive(members, topics, result);
            foreach (var (memberId, partitions) in result)
            {
                foreach (var partition in partitions)
                {
                    var better = members.FirstOrDefault(m => m.Subscribes(partition.Topic) && result[m.MemberId].Length <= partitions.Length - 2);
                    Assert.True(better is null, $"round {round}: {partition} could move from {memberId} to {better?.MemberId}");
                }
            }
        }
    }

    [Fact]
    public void PartitionAssignors_must_know_Kafkas_protocol_names()
    {
        Assert.IsType<RangeAssignor>(PartitionAssignors.Find("range"));
        Assert.IsType<RoundRobinAssignor>(PartitionAssignors.Find("roundrobin"));
        Assert.IsType<CooperativeStickyAssignor>(PartitionAssignors.Find("cooperative-sticky"));
        Assert.Null(PartitionAssignors.Find("sticky"));
        Assert.Equal(RebalanceProtocol.Cooperative, PartitionAssignors.Find("cooperative-sticky")!.RebalanceProtocol);
        Assert.Equal(RebalanceProtocol.Eager, PartitionAssignors.Find("range")!.RebalanceProtocol);
        Assert.Empty(_assignor.Assign([new AssignorMember("a", "none")], Topics())["a"]);
    }
}
