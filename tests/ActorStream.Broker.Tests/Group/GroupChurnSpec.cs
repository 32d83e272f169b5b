using System.Collections.Immutable;
using ActorStream.Broker.Group;
using ActorStream.Broker.Group.Assignors;

namespace ActorStream.Broker.Tests.Group;

/// <summary>
/// Random joins, leaves, crashes, static restarts, topic growth and clock jumps, against two groups sharing the topics.
/// The observer is the consumers' own view (<see cref="SimulatedConsumer.Owned"/>, built only from replies), never the
/// coordinator's map: after every command no partition is held by two live members of a group; once the group settles,
/// every subscribed partition is held exactly once; generations only grow.
/// </summary>
public sealed class GroupChurnSpec
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var assignor in PartitionAssignors.All.Select(a => a.Name))
        {
            foreach (var seed in new[] { 1, 2, 3, 17, 4242, 90210 })
            {
                data.Add(assignor, seed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Churn_must_never_give_a_partition_to_two_members_and_must_settle_with_every_partition_assigned_once(string assignor, int seed)
    {
        var random = new Random(seed);
        var ctx = new GroupCoordinatorContext();
        var topics = new Dictionary<string, int> { ["t0"] = random.Next(1, 7), ["t1"] = random.Next(1, 7) };
        foreach (var (topic, partitions) in topics)
        {
            ctx.Topic(topic, partitions);
        }

        var other = PartitionAssignors.All[(PartitionAssignors.All.ToList().FindIndex(a => a.Name == assignor) + 1) % PartitionAssignors.All.Count].Name;
        Fleet[] fleets = [new(ctx, "g1", assignor), new(ctx, "g2", other)];
        ctx.Applied += events =>
        {
            foreach (var fleet in fleets)
            {
                fleet.OnEvents(events);
            }

            foreach (var fleet in fleets)
            {
                fleet.AssertNoPartitionHeldTwice();
            }
        };

        for (var step = 0; step < 800; step++)
        {
            var fleet = fleets[random.Next(fleets.Length)];
            var action = random.Next(100);
            if (action < 25)
            {
                fleet.AddConsumer(random, topics.Keys.ToArray());
            }
            else if (action < 35)
            {
                fleet.LeaveRandom(random);
            }
            else if (action < 42)
            {
                fleet.CrashRandom(random);
            }
            else if (action < 52)
            {
                fleet.RestartStatic(random);
            }
            else if (action < 56)
            {
                var topic = random.Next(4) == 0 && !topics.ContainsKey("t2") ? "t2" : topics.Keys.ElementAt(random.Next(topics.Count));
                topics[topic] = topics.GetValueOrDefault(topic) + random.Next(1, 3);
                ctx.Topic(topic, topics[topic]);
            }
            else if (action < 66)
            {
                ctx.Advance(random.Next(500, 4000));
                foreach (var f in fleets)
                {
                    ctx.ExpireDueMembers(f.GroupId);
                    ctx.RebalanceTimeout(f.GroupId);
                }
            }

            foreach (var f in fleets)
            {
                f.StepSome(random, 0.5);
                f.AssertNoPartitionHeldTwice();
            }
        }

        for (var round = 0; round < 300 && !fleets.All(f => f.Settled()); round++)
        {
            ctx.Advance(1000);
            foreach (var f in fleets)
            {
                f.StepSome(random, 1.0);
                ctx.ExpireDueMembers(f.GroupId);
                ctx.RebalanceTimeout(f.GroupId);
            }
        }

        foreach (var fleet in fleets)
        {
            Assert.True(fleet.Settled(), $"{fleet.GroupId} did not settle");
            fleet.AssertEveryPartitionHeldOnce(topics);
            Assert.True(fleet.Generations.Count > 0);
        }

        var completed = ctx.Journal.OfType<GenerationCompleted>().GroupBy(e => e.GroupId);
        foreach (var generations in completed)
        {
            var ids = generations.Select(e => e.GenerationId).ToList();
            Assert.Equal(ids.Order(), ids);
            Assert.Equal(ids.Count, ids.Distinct().Count());
        }

        // The run went through the paths that matter, not only the easy ones.
        Assert.Contains(ctx.Journal, e => e is StaticMemberReplaced);
        Assert.Contains(ctx.Journal, e => e is MemberLeft { Reason: MemberLeaveReason.SessionExpired });
        Assert.Contains(ctx.Journal, e => e is MemberLeft { Reason: MemberLeaveReason.Left });
        Assert.Contains(ctx.Journal, e => e is OffsetsCommitted);
        var g1Generations = ctx.Journal.OfType<GenerationCompleted>().Count(e => e.GroupId == "g1");
        Assert.True(g1Generations >= 15, $"only {g1Generations} generations in g1; events: {string.Join(", ", ctx.Journal.GroupBy(e => e.GetType().Name).Select(g => $"{g.Key}={g.Count()}"))}");
        if (assignor == CooperativeStickyAssignor.AssignorName)
        {
            Assert.Contains(ctx.Journal, e => e is GenerationCompleted { GroupId: "g1", PendingRevocations.IsEmpty: false });
        }

        // Recovery: the journal alone rebuilds the same groups.
        var replayed = ctx.Replay();
        foreach (var fleet in fleets)
        {
            Assert.Equal(
                GroupCoordinatorContext.Canonical(ctx.Describe(fleet.GroupId)),
                GroupCoordinatorContext.Canonical(GroupCoordinatorShard.Describe(replayed.Find(fleet.GroupId)!)));
        }
    }

    private sealed class Fleet(GroupCoordinatorContext ctx, string groupId, string assignor)
    {
        private readonly List<SimulatedConsumer> _consumers = [];
        private int _next;

        public string GroupId { get; } = groupId;

        public List<int> Generations { get; } = [];

        private bool Cooperative => PartitionAssignors.Find(assignor)!.RebalanceProtocol == RebalanceProtocol.Cooperative;

        public void OnEvents(ImmutableArray<IGroupEvent> events)
        {
            var completed = false;
            foreach (var e in events.Where(e => e.GroupId == GroupId))
            {
                switch (e)
                {
                    case MemberLeft left:
                        // Removed by the coordinator (expired, timed out): the consumer's partitions are lost.
                        foreach (var consumer in _consumers.Where(c => c.MemberId == left.MemberId))
                        {
                            consumer.Lose();
                        }

                        break;
                    case GenerationCompleted generation:
                        Assert.True(Generations.Count == 0 || generation.GenerationId > Generations[^1]);
                        Generations.Add(generation.GenerationId);
                        completed = true;
                        break;
                }
            }

            if (completed)
            {
                // A consumer whose own JoinGroup completed the round learns its member id from the events.
                foreach (var e in events.Where(e => e.GroupId == GroupId))
                {
                    var (clientId, memberId) = e switch
                    {
                        MemberJoined joined => (joined.ClientId, joined.MemberId),
                        StaticMemberReplaced replaced => (replaced.ClientId, replaced.NewMemberId),
                        _ => (null, null),
                    };
                    foreach (var consumer in _consumers.Where(c => c.ClientId == clientId))
                    {
                        consumer.BindMemberId(memberId!);
                    }
                }

                // The actor answers every parked JoinGroup once the generation is applied. Replies arrive in any order, so
                // check the worst one: every member starts on its new partitions before any member drops a revoked one.
                var replies = _consumers.Where(c => c.AwaitingJoin && c.MemberId.Length != 0)
                    .Select(c => (Consumer: c, Response: ctx.Shard.JoinResponseFor(GroupId, c.MemberId)))
                    .Where(r => !r.Response.Pending)
                    .ToList();
                foreach (var (consumer, response) in replies)
                {
                    consumer.StartConsuming(response);
                }

                AssertNoPartitionHeldTwice();
                foreach (var (consumer, response) in replies)
                {
                    consumer.Complete(response);
                }
            }
        }

        public void AddConsumer(Random random, string[] topics)
        {
            var subscribed = topics.Where(_ => random.Next(3) > 0).DefaultIfEmpty(topics[random.Next(topics.Length)]).ToArray();
            var id = _next++;
            var consumer = new SimulatedConsumer(
                $"{GroupId}-c{id}", GroupId, subscribed, assignor, random.Next(5) < 2 ? $"{GroupId}-pod{id}" : null, Cooperative);
            _consumers.Add(consumer);
            consumer.Join(ctx);
        }

        public void LeaveRandom(Random random)
        {
            var candidates = _consumers.Where(c => c.MemberId.Length != 0).ToList();
            if (candidates.Count == 0)
            {
                return;
            }

            var consumer = candidates[random.Next(candidates.Count)];
            _consumers.Remove(consumer);
            ctx.Leave(GroupId, consumer.MemberId);
        }

        /// <summary>The process dies: it holds nothing any more, and its member stays until its session expires.</summary>
        public void CrashRandom(Random random)
        {
            if (_consumers.Count > 0)
            {
                _consumers.RemoveAt(random.Next(_consumers.Count));
            }
        }

        /// <summary>A static member's process dies and comes back at once: same instance id, new member id.</summary>
        public void RestartStatic(Random random)
        {
            var statics = _consumers.Where(c => c.InstanceId is not null).ToList();
            if (statics.Count == 0)
            {
                return;
            }

            var old = statics[random.Next(statics.Count)];
            _consumers.Remove(old);
            var group = ctx.Shard.Find(GroupId);
            var previous = group?.FindStaticMember(old.InstanceId!);
            var quick = group?.State == GroupState.Stable && previous is not null;

            var restarted = new SimulatedConsumer(old.ClientId, GroupId, old.Topics, assignor, old.InstanceId, Cooperative);
            _consumers.Add(restarted);
            var response = restarted.Join(ctx);
            if (quick)
            {
                Assert.False(response.Pending);
                Assert.Equal(group!.GenerationId, response.GenerationId);
                Assert.Equal<GroupTopicPartition>(previous!.Assignment, response.Assignment);
                Assert.DoesNotContain(ctx.LastEvents, e => e is RebalanceStarted);
            }
        }

        public void StepSome(Random random, double probability)
        {
            foreach (var consumer in _consumers.ToList())
            {
                if (random.NextDouble() < probability)
                {
                    consumer.Step(ctx);
                }
            }
        }

        public void AssertNoPartitionHeldTwice()
        {
            var holders = new Dictionary<GroupTopicPartition, string>();
            foreach (var consumer in _consumers)
            {
                foreach (var partition in consumer.Owned)
                {
                    Assert.True(
                        holders.TryAdd(partition, consumer.ClientId),
                        $"{GroupId}: {partition} held by {holders.GetValueOrDefault(partition)} and {consumer.ClientId}");
                }
            }
        }

        public bool Settled()
        {
            var group = ctx.Shard.Find(GroupId);
            if (_consumers.Count == 0)
            {
                return group is null || group.Members.IsEmpty;
            }

            return group is { State: GroupState.Stable }
                && _consumers.All(c => c.Settled && c.Generation == group.GenerationId)
                && group.Members.Keys.ToHashSet().SetEquals(_consumers.Select(c => c.MemberId));
        }

        public void AssertEveryPartitionHeldOnce(Dictionary<string, int> topics)
        {
            AssertNoPartitionHeldTwice();
            var expected = _consumers.SelectMany(c => c.Topics).Distinct()
                .SelectMany(t => Enumerable.Range(0, topics[t]).Select(p => new GroupTopicPartition(t, p)))
                .Order(GroupTopicPartition.Comparer);
            Assert.Equal(expected, _consumers.SelectMany(c => c.Owned).Order(GroupTopicPartition.Comparer));
            foreach (var consumer in _consumers)
            {
                Assert.Equal(
                    consumer.Owned.Order(GroupTopicPartition.Comparer),
                    ctx.AssignmentOf(GroupId, consumer.MemberId).Order(GroupTopicPartition.Comparer));
            }
        }
    }
}
