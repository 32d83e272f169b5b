using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using ActorStream.Protocol.Broker;
using P = ActorStream.Protocol.Group;

namespace ActorStream.Broker.Group;

/// <summary>Request handling, parked replies, timers and DeathWatch of <see cref="GroupCoordinator"/>.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>A JoinGroup or SyncGroup reply waiting for the end of the round.</summary>
    private sealed record Parked(string MemberId, IActorRef ReplyTo);

    /// <summary>A member's session timer; also the timer key (one per member).</summary>
    private sealed record SessionTimer(string GroupId, string MemberId);

    /// <summary>A group's rebalance timer; also the timer key (one per group).</summary>
    private sealed record RebalanceTimer(string GroupId);

    /// <summary>A group's initial rebalance delay timer; also the timer key (one per group).</summary>
    private sealed record InitialDelayTimer(string GroupId);

    private sealed class PollMetadata
    {
        public static readonly PollMetadata Instance = new();
    }

    private sealed class ExpireOffsetsTick
    {
        public static readonly ExpireOffsetsTick Instance = new();
    }

    #region requests

    private void HandleJoin(P.JoinGroupRequest request)
    {
        if (request.HasReason)
        {
            _log.Info("[GroupCoordinator] Group {0}: member '{1}' ({2}) joins: {3}", request.GroupId, request.MemberId, request.ClientId, request.Reason);
        }

        var replyTo = Sender;
        Execute(_shard.Handle(request.ToCommand(NowMs)), response =>
        {
            if (response.Pending)
            {
                Park(_parkedJoins, request.GroupId, response.MemberId, replyTo);
            }
            else
            {
                ReplyJoin(request.GroupId, response, replyTo);
            }
        });
    }

    private void HandleLeave(P.LeaveGroupRequest request)
    {
        if (request.HasReason)
        {
            _log.Info("[GroupCoordinator] Group {0}: member '{1}' leaves: {2}", request.GroupId, request.MemberId, request.Reason);
        }

        Answer(_shard.Handle(request.ToCommand(NowMs)), response => new P.LeaveGroupResponse { ErrorCode = (int)response.Error });
    }

    private void HandleSync(P.SyncGroupRequest request)
    {
        var replyTo = Sender;
        Execute(_shard.Handle(request.ToCommand(NowMs)), response =>
        {
            if (response.Pending)
            {
                Park(_parkedSyncs, request.GroupId, request.MemberId, replyTo);
            }
            else
            {
                replyTo.Tell(response.ToProto());
            }
        });
    }

    /// <summary>
    /// A member heartbeating successfully is watched too: after a hand-over or a crash of the coordinator's node the
    /// recovered coordinator knows the members but watches none of them until they heartbeat.
    /// </summary>
    private void HandleHeartbeat(P.HeartbeatRequest request)
    {
        var replyTo = Sender;
        Execute(_shard.Handle(request.ToCommand(NowMs)), response =>
        {
            if (response.Error == Protocol.ErrorCode.None)
            {
                WatchMember(request.GroupId, request.MemberId, replyTo);
            }

            replyTo.Tell(new P.HeartbeatResponse { ErrorCode = (int)response.Error });
        });
    }

    private void HandleDeleteGroups(P.DeleteGroupsRequest request)
    {
        // Each DeleteGroup reads only its own group, so all can be decided before any is applied.
        var replyTo = Sender;
        var now = NowMs;
        var results = request.GroupIds.Distinct(StringComparer.Ordinal)
            .Select(id => (GroupId: id, Result: _shard.Handle(new DeleteGroup(id, now))))
            .ToList();
        Persist([.. results.SelectMany(r => r.Result.Events)], () => replyTo.Tell(new P.DeleteGroupsResponse
        {
            Results = { results.Select(r => new P.DeleteGroupResult { GroupId = r.GroupId, ErrorCode = (int)r.Result.Response.Error }) },
        }));
    }

    private void HandleMetadata(MetadataSnapshot snapshot)
    {
        if (snapshot.Version < _metadataVersion)
        {
            return;
        }

        _metadataVersion = snapshot.Version;
        var counts = snapshot.Topics.ToDictionary(t => t.Name, t => t.Partitions.Count, StringComparer.Ordinal);
        var changes = counts.Where(kv => _shard.TopicPartitions.GetValueOrDefault(kv.Key) != kv.Value)
            .Select(kv => (Topic: kv.Key, Partitions: kv.Value))
            .Concat(_shard.TopicPartitions.Keys.Where(t => !counts.ContainsKey(t)).Select(t => (Topic: t, Partitions: 0)))
            .ToList();
        RunInOrder(changes.Select(change => (Func<ImmutableArray<IGroupEvent>>)(() =>
            _shard.Handle(new TopicMetadataChanged(change.Topic, change.Partitions, NowMs)).Events)));
    }

    private void HandleTerminated(Terminated terminated)
    {
        var gone = _memberActors.Where(kv => kv.Value.Equals(terminated.ActorRef)).Select(kv => kv.Key).ToList();
        foreach (var key in gone)
        {
            _memberActors.Remove(key);
        }

        RunInOrder(gone.Select(key => (Func<ImmutableArray<IGroupEvent>>)(() =>
        {
            // A static member keeps its partitions until its session expires: a quick restart causes no rebalance.
            if (_shard.Find(key.GroupId)?.Members.GetValueOrDefault(key.MemberId) is not { IsStatic: false })
            {
                return [];
            }

            _log.Info("[GroupCoordinator] Group {0}: member {1} stopped, removing it", key.GroupId, key.MemberId);
            return _shard.Handle(new LeaveGroup(key.GroupId, key.MemberId, null, NowMs)).Events;
        })));
    }

    #endregion

    #region timers

    private void HandleSessionTimer(SessionTimer timer) =>
        Execute(_shard.Handle(new MemberExpired(timer.GroupId, timer.MemberId, NowMs)), response =>
        {
            if (response.Expired)
            {
                _log.Info("[GroupCoordinator] Group {0}: member {1} session expired", timer.GroupId, timer.MemberId);
            }
            else if (response.DeadlineMs >= 0)
            {
                Timers.StartSingleTimer(timer, timer, Until(response.DeadlineMs));
            }
        });

    private void HandleRebalanceTimer(RebalanceTimer timer) =>
        Execute(_shard.Handle(new RebalanceTimeoutExpired(timer.GroupId, NowMs)), response =>
        {
            if (!response.RemovedMembers.IsEmpty)
            {
                _log.Info("[GroupCoordinator] Group {0}: rebalance timed out, removed {1}", timer.GroupId, string.Join(", ", response.RemovedMembers));
            }

            if (response.DeadlineMs >= 0)
            {
                Timers.StartSingleTimer(timer, timer, Until(response.DeadlineMs));
            }
        });

    private void HandleInitialDelayTimer(InitialDelayTimer timer) =>
        Execute(_shard.Handle(new InitialRebalanceDelayExpired(timer.GroupId, NowMs)), response =>
        {
            if (response.DeadlineMs >= 0)
            {
                Timers.StartSingleTimer(timer, timer, Until(response.DeadlineMs));
            }
        });

    /// <summary>
    /// Every member has a session timer; a rebalancing group has a rebalance timer (and only then); a group in its initial
    /// rebalance delay has a delay timer.
    /// </summary>
    private void EnsureTimers(string groupId)
    {
        var rebalanceTimer = new RebalanceTimer(groupId);
        var delayTimer = new InitialDelayTimer(groupId);
        if (_shard.InitialRebalanceDelayDeadlineMs(groupId) is { } delayDeadline)
        {
            if (!Timers.IsTimerActive(delayTimer))
            {
                Timers.StartSingleTimer(delayTimer, delayTimer, Until(delayDeadline));
            }
        }
        else
        {
            Timers.Cancel(delayTimer);
        }

        var group = _shard.Find(groupId);
        if (group is null)
        {
            Timers.Cancel(rebalanceTimer);
            return;
        }

        foreach (var member in group.Members.Values)
        {
            var sessionTimer = new SessionTimer(groupId, member.MemberId);
            if (!Timers.IsTimerActive(sessionTimer))
            {
                Timers.StartSingleTimer(sessionTimer, sessionTimer, TimeSpan.FromMilliseconds(member.SessionTimeoutMs));
            }
        }

        if (group.State is GroupState.PreparingRebalance or GroupState.CompletingRebalance)
        {
            if (!Timers.IsTimerActive(rebalanceTimer))
            {
                Timers.StartSingleTimer(rebalanceTimer, rebalanceTimer, Until(group.StateTimestampMs + group.RebalanceTimeoutMs));
            }
        }
        else
        {
            Timers.Cancel(rebalanceTimer);
        }
    }

    private TimeSpan Until(long deadlineMs) => TimeSpan.FromMilliseconds(Math.Max(0, deadlineMs - NowMs));

    #endregion

    #region persisting and applying

    /// <summary>Persists and applies the result's events, then sends the mapped reply to the current sender (captured now).</summary>
    private void Answer<T>(CoordinatorResult<T> result, Func<T, object> map)
    {
        var replyTo = Sender;
        Execute(result, response => replyTo.Tell(map(response)));
    }

    /// <summary>Persists the result's events, applies each, then runs <paramref name="then"/> with the response.</summary>
    private void Execute<T>(CoordinatorResult<T> result, Action<T> then) => Persist(result.Events, () => then(result.Response));

    private void Persist(ImmutableArray<IGroupEvent> events, Action then)
    {
        if (events.IsDefaultOrEmpty)
        {
            then();
            return;
        }

        var applied = 0;
        PersistAll(events.Select(e => e.ToProto()).ToList(), _ =>
        {
            var e = events[applied++];
            _shard.Apply(e);
            AfterApplied(e);
            if (applied == events.Length)
            {
                then();
            }
        });
    }

    /// <summary>
    /// Runs shard commands one after the other, each seeing the events of the previous ones applied (a handler must never be
    /// given a shard that is missing events an earlier handler returned).
    /// </summary>
    private void RunInOrder(IEnumerable<Func<ImmutableArray<IGroupEvent>>> steps) => RunInOrder(new Queue<Func<ImmutableArray<IGroupEvent>>>(steps));

    private void RunInOrder(Queue<Func<ImmutableArray<IGroupEvent>>> steps)
    {
        while (steps.TryDequeue(out var step))
        {
            var events = step();
            if (!events.IsDefaultOrEmpty)
            {
                Persist(events, () => RunInOrder(steps));
                return;
            }
        }
    }

    private void AfterApplied(IGroupEvent e)
    {
        switch (e)
        {
            case RebalanceStarted started:
                _log.Info("[GroupCoordinator] Group {0}: rebalance started ({1})", started.GroupId, started.Reason);
                break;
            case GenerationCompleted completed:
                _log.Info("[GroupCoordinator] Group {0}: generation {1} with {2} members", completed.GroupId, completed.GenerationId, _shard.Find(completed.GroupId)?.Members.Count ?? 0);
                break;
            case MemberLeft left:
                Forget(left.GroupId, left.MemberId);
                break;
            case StaticMemberReplaced replaced:
                Forget(replaced.GroupId, replaced.OldMemberId);
                if (_shard.Find(replaced.GroupId)?.Mode == GroupProtocolMode.Kafka)
                {
                    FenceParked(replaced.GroupId, replaced.OldMemberId);
                }

                break;
        }

        Settle(e.GroupId);
        EnsureTimers(e.GroupId);
        if (++_eventsSinceSnapshot >= _snapshotEvery)
        {
            _eventsSinceSnapshot = 0;
            SaveSnapshot(GroupMessageMapping.ToSnapshot(_shard.Groups.Values));
        }
    }

    /// <summary>Answers every parked JoinGroup / SyncGroup of the group whose answer is no longer pending.</summary>
    private void Settle(string groupId)
    {
        if (_parkedJoins.TryGetValue(groupId, out var joins))
        {
            foreach (var parked in joins.ToList())
            {
                var response = _shard.JoinResponseFor(groupId, parked.MemberId);
                if (!response.Pending)
                {
                    joins.Remove(parked);
                    ReplyJoin(groupId, response, parked.ReplyTo);
                }
            }

            if (joins.Count == 0)
            {
                _parkedJoins.Remove(groupId);
            }
        }

        if (_parkedSyncs.TryGetValue(groupId, out var syncs))
        {
            foreach (var parked in syncs.ToList())
            {
                var response = _shard.SyncResponseFor(groupId, parked.MemberId);
                if (!response.Pending)
                {
                    syncs.Remove(parked);
                    parked.ReplyTo.Tell(response.ToProto());
                }
            }

            if (syncs.Count == 0)
            {
                _parkedSyncs.Remove(groupId);
            }
        }
    }

    /// <summary>Kafka mode: the old instance of a replaced static member still waiting in JoinGroup or SyncGroup gets FENCED_INSTANCE_ID, as in Kafka.</summary>
    private void FenceParked(string groupId, string memberId)
    {
        foreach (var parked in TakeParked(_parkedJoins, groupId, memberId))
        {
            parked.ReplyTo.Tell(JoinGroupResponse.Failed(Protocol.ErrorCode.FencedInstanceId, memberId).ToProto([]));
        }

        foreach (var parked in TakeParked(_parkedSyncs, groupId, memberId))
        {
            parked.ReplyTo.Tell(SyncGroupResponse.Failed(Protocol.ErrorCode.FencedInstanceId).ToProto());
        }
    }

    private static List<Parked> TakeParked(Dictionary<string, List<Parked>> parked, string groupId, string memberId)
    {
        if (!parked.TryGetValue(groupId, out var list))
        {
            return [];
        }

        var taken = list.Where(p => string.Equals(p.MemberId, memberId, StringComparison.Ordinal)).ToList();
        list.RemoveAll(taken.Contains);
        if (list.Count == 0)
        {
            parked.Remove(groupId);
        }

        return taken;
    }

    private static void Park(Dictionary<string, List<Parked>> parked, string groupId, string memberId, IActorRef replyTo)
    {
        if (!parked.TryGetValue(groupId, out var list))
        {
            parked[groupId] = list = [];
        }

        list.Add(new Parked(memberId, replyTo));
    }

    private void ReplyJoin(string groupId, JoinGroupResponse response, IActorRef replyTo)
    {
        var member = _shard.Find(groupId)?.Members.GetValueOrDefault(response.MemberId);
        if (response.Error == Protocol.ErrorCode.None && member is not null)
        {
            WatchMember(groupId, response.MemberId, replyTo);
        }

        replyTo.Tell(response.ToProto(member?.PendingRevocation ?? []));
    }

    #endregion

    #region DeathWatch

    /// <summary>Watches the member's actor. Temporary Ask actors (path <c>/temp/..</c>) are not watched: they stop right after the reply.</summary>
    private void WatchMember(string groupId, string memberId, IActorRef actor)
    {
        if (actor.IsNobody() || actor.Equals(Context.System.DeadLetters) || (actor.Path.Elements.Count > 0 && actor.Path.Elements[0] == "temp"))
        {
            return;
        }

        var key = (groupId, memberId);
        if (_memberActors.TryGetValue(key, out var previous) && previous.Equals(actor))
        {
            return;
        }

        _memberActors[key] = actor;
        Context.Watch(actor);
    }

    private void Forget(string groupId, string memberId)
    {
        Timers.Cancel(new SessionTimer(groupId, memberId));
        if (_memberActors.Remove((groupId, memberId), out var actor) && !_memberActors.ContainsValue(actor))
        {
            Context.Unwatch(actor);
        }
    }

    #endregion
}
