namespace ActorStream.Broker.Group;

/// <summary>
/// Kafka's consumer group states (<c>ClassicGroupState</c>).
/// <code>
///            member joins           all members joined             leader's SyncGroup
///  Empty ─────────────────► PreparingRebalance ──────────► CompletingRebalance ──────────► Stable
///    ▲                        ▲    │   ▲                         │  (native: at once)      │
///    │  no member left        │    │   └──── join / leave / ─────┘                         │
///    └────────────────────────┼────┘        failure / topic change                         │
///                             └──────────────── join / leave / failure / topic change ─────┘
///  any state ──► Dead (deleted: DeleteGroup of an Empty group, or an Empty group whose offsets all expired)
/// </code>
/// </summary>
public enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

public static class GroupStateTransitions
{
    /// <summary>The valid previous states of each state, as Kafka's <c>ClassicGroupState.validPreviousStates</c>.</summary>
    public static bool CanTransitionTo(this GroupState from, GroupState to) => to switch
    {
        GroupState.Empty => from is GroupState.PreparingRebalance,
        GroupState.PreparingRebalance => from is GroupState.Empty or GroupState.Stable or GroupState.CompletingRebalance,
        GroupState.CompletingRebalance => from is GroupState.PreparingRebalance,
        GroupState.Stable => from is GroupState.CompletingRebalance,
        GroupState.Dead => true,
        _ => false,
    };

    /// <summary>Throws for a transition the table forbids: that is a coordinator bug, never bad client input.</summary>
    public static GroupState TransitionTo(this GroupState from, GroupState to, string groupId) =>
        from.CanTransitionTo(to)
            ? to
            : throw new InvalidOperationException($"[Group {groupId}] illegal state transition {from} -> {to}");
}
