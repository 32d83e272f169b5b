using ActorStream.Broker.Group;

namespace ActorStream.Broker.Tests.Group;

public sealed class GroupStateSpec
{
    public static TheoryData<GroupState, GroupState> Valid => new()
    {
        { GroupState.Empty, GroupState.PreparingRebalance },
        { GroupState.PreparingRebalance, GroupState.Empty },
        { GroupState.PreparingRebalance, GroupState.CompletingRebalance },
        { GroupState.CompletingRebalance, GroupState.PreparingRebalance },
        { GroupState.CompletingRebalance, GroupState.Stable },
        { GroupState.Stable, GroupState.PreparingRebalance },
        { GroupState.Empty, GroupState.Dead },
        { GroupState.Stable, GroupState.Dead },
        { GroupState.PreparingRebalance, GroupState.Dead },
        { GroupState.CompletingRebalance, GroupState.Dead },
        { GroupState.Dead, GroupState.Dead },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void GroupState_must_allow_Kafkas_transitions(GroupState from, GroupState to)
    {
        Assert.True(from.CanTransitionTo(to));
        Assert.Equal(to, from.TransitionTo(to, "g"));
    }

    [Fact]
    public void GroupState_must_reject_every_other_transition()
    {
        var valid = Valid.Select(row => ((GroupState)row[0], (GroupState)row[1])).ToHashSet();
        foreach (var from in Enum.GetValues<GroupState>())
        {
            foreach (var to in Enum.GetValues<GroupState>().Where(to => !valid.Contains((from, to))))
            {
                Assert.False(from.CanTransitionTo(to), $"{from} -> {to}");
                var error = Assert.Throws<InvalidOperationException>(() => from.TransitionTo(to, "g"));
                Assert.Contains($"{from} -> {to}", error.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Evolve_must_refuse_an_event_that_does_not_fit_the_state()
    {
        var group = ConsumerGroup.Evolve(null, new GroupCreated("g", 0))!;
        Assert.Throws<InvalidOperationException>(() => ConsumerGroup.Evolve(group, new AssignmentSynced("g", 0, [], [], 1)));
        Assert.Throws<InvalidOperationException>(() => ConsumerGroup.Evolve(group, new MemberLeft("g", "nobody", MemberLeaveReason.Left, 1)));
        Assert.Throws<InvalidOperationException>(() => ConsumerGroup.Evolve(null, new RebalanceStarted("g", "x", 1)));
        Assert.Throws<InvalidOperationException>(() => ConsumerGroup.Evolve(group, new GroupCreated("g", 1)));
    }
}
