using ActorStream.Broker.Group;
using ActorStream.Protocol;

namespace ActorStream.Broker.Tests.Group;

/// <summary><c>group.initial.rebalance.delay.ms</c> (Kafka's InitialDelayedJoin): an Empty group's first round waits for more members.</summary>
public sealed class GroupInitialRebalanceDelaySpec
{
    private const int Delay = 3_000;

    private readonly GroupCoordinatorContext _ctx = new(GroupCoordinatorConfig.Default with { InitialRebalanceDelayMs = Delay });

    public GroupInitialRebalanceDelaySpec() => _ctx.Topic("t", 4);

    private InitialRebalanceDelayResponse DelayExpired(string group) =>
        _ctx.Run(_ctx.Shard.Handle(new InitialRebalanceDelayExpired(group, _ctx.NowMs)));

    [Fact]
    public void The_first_round_must_wait_and_each_member_joining_meanwhile_must_extend_it()
    {
        var start = _ctx.NowMs;
        var a = _ctx.JoinKafka("g", clientId: "a");
        Assert.True(a.Pending);
        Assert.Equal(start + Delay, _ctx.Shard.InitialRebalanceDelayDeadlineMs("g"));

        _ctx.Advance(1_000);
        var b = _ctx.JoinKafka("g", clientId: "b");
        Assert.True(b.Pending);

        _ctx.Advance(1_000);
        Assert.Equal(start + Delay, DelayExpired("g").DeadlineMs); // a timer firing early looks again at the same deadline
        Assert.Empty(_ctx.LastEvents);

        _ctx.Advance(1_000);
        Assert.Equal(_ctx.NowMs + Delay, DelayExpired("g").DeadlineMs); // b joined meanwhile: another delay
        Assert.Empty(_ctx.LastEvents);
        Assert.Equal(GroupState.PreparingRebalance, _ctx.Describe("g").State);

        _ctx.Advance(Delay);
        Assert.Equal(-1, DelayExpired("g").DeadlineMs);
        var completed = Assert.Single(_ctx.LastEvents.OfType<GenerationCompleted>());
        Assert.Equal(1, completed.GenerationId);
        Assert.Null(_ctx.Shard.InitialRebalanceDelayDeadlineMs("g"));
        Assert.Equal(1, _ctx.Shard.JoinResponseFor("g", a.MemberId).GenerationId);
        Assert.Equal(2, _ctx.Shard.JoinResponseFor("g", a.MemberId).Members.Length);
        Assert.Equal(1, _ctx.Shard.JoinResponseFor("g", b.MemberId).GenerationId);
    }

    [Fact]
    public void The_delay_must_end_within_the_rebalance_timeout_however_many_members_join()
    {
        var start = _ctx.NowMs;
        _ctx.Join("g", ["t"], rebalanceTimeoutMs: 5_000, clientId: "a");
        _ctx.Advance(1_000);
        _ctx.Join("g", ["t"], rebalanceTimeoutMs: 5_000, clientId: "b");
        _ctx.Advance(2_000);
        Assert.Equal(start + 5_000, DelayExpired("g").DeadlineMs);
        _ctx.Advance(1_000);
        _ctx.Join("g", ["t"], rebalanceTimeoutMs: 5_000, clientId: "c");
        _ctx.Advance(1_000);

        Assert.Equal(-1, DelayExpired("g").DeadlineMs);
        Assert.Equal(GroupState.Stable, _ctx.Describe("g").State);
        Assert.Equal(3, _ctx.Describe("g").Members.Length);
        Assert.Equal(4, _ctx.Describe("g").Members.Sum(m => m.Assignment.Length));
    }

    [Fact]
    public void Only_a_group_that_was_Empty_must_wait()
    {
        var a = _ctx.Join("g", ["t"], clientId: "a");
        _ctx.Advance(Delay);
        DelayExpired("g");
        Assert.Equal(GroupState.Stable, _ctx.Describe("g").State);

        var b = _ctx.Join("g", ["t"], clientId: "b");
        Assert.Null(_ctx.Shard.InitialRebalanceDelayDeadlineMs("g"));
        var rejoined = _ctx.Join("g", ["t"], memberId: a.MemberId, clientId: "a");
        Assert.False(rejoined.Pending);
        Assert.Equal(2, rejoined.GenerationId);
        Assert.Equal(2, _ctx.Shard.JoinResponseFor("g", b.MemberId).GenerationId);
    }

    [Fact]
    public void A_group_whose_members_all_leave_during_the_delay_must_become_Empty_at_once()
    {
        var a = _ctx.JoinKafka("g");

        Assert.Equal(ErrorCode.None, _ctx.Leave("g", a.MemberId).Error);

        Assert.Equal(GroupState.Empty, _ctx.Describe("g").State);
        Assert.Null(_ctx.Shard.InitialRebalanceDelayDeadlineMs("g"));
        Assert.Equal(-1, DelayExpired("g").DeadlineMs);
    }
}
