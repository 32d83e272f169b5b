using Akka.Actor;
using Akka.Event;
using ActorStream.Client.Connection;
using ActorStream.Protocol;
using ActorStream.Protocol.Group;

namespace ActorStream.Client.Consumer;

/// <summary>What the member actor tells the consumer; read by the consumer's poll (thread-safe).</summary>
internal sealed class GroupSession
{
    private readonly object _lock = new();
    private string _memberId = "";
    private int _generation = -1;
    private IReadOnlyList<TopicPartition>? _newAssignment;
    private bool _revokeRequested;
    private bool _lost;
    private long _lastPollTicks = Environment.TickCount64;

    /// <summary>Milliseconds since the application last polled (<c>max.poll.interval.ms</c> is checked against it).</summary>
    public long MillisSinceLastPoll => Environment.TickCount64 - Volatile.Read(ref _lastPollTicks);

    public void Polled() => Volatile.Write(ref _lastPollTicks, Environment.TickCount64);

    public (string MemberId, int Generation) Identity
    {
        get
        {
            lock (_lock)
            {
                return (_memberId, _generation);
            }
        }
    }

    public void Assigned(string memberId, int generation, IReadOnlyList<TopicPartition> assignment)
    {
        lock (_lock)
        {
            _memberId = memberId;
            _generation = generation;
            _newAssignment = assignment;
        }
    }

    public void SetIdentity(string memberId, int generation)
    {
        lock (_lock)
        {
            _memberId = memberId;
            _generation = generation;
        }
    }

    /// <summary>A rebalance started: the consumer must commit, revoke its partitions and tell the actor to rejoin.</summary>
    public void RequestRevoke()
    {
        lock (_lock)
        {
            _revokeRequested = true;
        }
    }

    /// <summary>The membership is gone (unknown member, stale generation): partitions are lost, then rejoin.</summary>
    public void Lose()
    {
        lock (_lock)
        {
            _lost = true;
            _generation = -1;
        }
    }

    public (bool Lost, bool Revoke, IReadOnlyList<TopicPartition>? Assignment) Take()
    {
        lock (_lock)
        {
            var result = (_lost, _revokeRequested, _newAssignment);
            _lost = false;
            _revokeRequested = false;
            _newAssignment = null;
            return result;
        }
    }
}

/// <summary>
/// The long-lived group member of one consumer: sends JoinGroup from itself (so the coordinator watches it), waits for the
/// long-polled reply, heartbeats, and tells the consumer (through <see cref="GroupSession"/>) what changed.
/// <para>
/// Eager assignors (range, roundrobin): on REBALANCE_IN_PROGRESS the consumer commits and revokes every partition, then sends
/// <see cref="Rejoin"/>. Cooperative (cooperative-sticky, KIP-429): the member rejoins at once declaring the partitions it
/// owns and the consumer keeps fetching them; a reply that takes partitions away makes the consumer revoke only those and
/// rejoin again, so the coordinator can hand them over.
/// </para>
/// <para>
/// <c>max.poll.interval.ms</c>: when the application has not polled for that long the member leaves the group (a static
/// member only stops heartbeating, like Kafka) and its partitions are lost; the next poll rejoins.
/// </para>
/// <para>
/// Requests go to the node hosting the coordinator (<see cref="GroupCoordinatorLookup"/>). When the connection to that node
/// drops (<see cref="NodeLinks"/>: a kill -9 is seen at once) or it answers NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE, the
/// member looks the coordinator up again (it moves with the cluster singleton) and carries on where it was: a pending
/// JoinGroup is sent again, heartbeats resume. The moved coordinator recovered the group from the journal, so a member
/// that was Stable stays Stable and keeps its partitions; nothing waits for <c>request.timeout.ms</c>.
/// </para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Cancelled in PostStop, not disposed: a lookup still finishing may read its token")]
internal sealed class GroupMemberActor : ReceiveActor, IWithTimers
{
    /// <summary>Join again; <paramref name="Owned"/> are the partitions the consumer still holds (cooperative only).</summary>
    public sealed record Rejoin(IReadOnlyList<TopicPartition> Owned);

    public sealed record Leave;

    private sealed record HeartbeatTick;

    private sealed record JoinTimedOut(int Attempt);

    private sealed record CoordinatorFound(int NodeId);

    private sealed record CoordinatorLost(int NodeId);

    private sealed record LookUpCoordinator;

    private sealed record LeaveTimedOut;

    private readonly ClientConnection _connection;
    private readonly GroupCoordinatorLookup _lookup;
    private readonly CancellationTokenSource _stopping = new();
    private readonly GroupSession _session;
    private readonly GroupMemberSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private string _memberId = "";
    private int _generation = -1;
    private int _joinAttempt;
    private bool _joining;
    private bool _awaitingConsumer;
    private IReadOnlyList<TopicPartition> _owned = [];
    private int _coordinatorNode = -1;
    private IActorRef? _coordinator;
    private CancellationTokenRegistration _coordinatorWatch;
    private bool _lookingUp;

    public GroupMemberActor(ClientConnection connection, GroupCoordinatorLookup lookup, GroupSession session, GroupMemberSettings settings)
    {
        _connection = connection;
        _lookup = lookup;
        _session = session;
        _settings = settings;
        Receive<Rejoin>(r =>
        {
            _awaitingConsumer = false;
            _owned = _settings.Cooperative ? r.Owned : [];
            SendJoin();
        });
        Receive<JoinGroupResponse>(OnJoined);
        Receive<JoinTimedOut>(t =>
        {
            if (_joining && t.Attempt == _joinAttempt)
            {
                _log.Warning("JoinGroup for group {0} got no answer: retrying", _settings.GroupId);
                SendJoin();
            }
        });
        Receive<HeartbeatTick>(_ => OnHeartbeatTick());
        Receive<HeartbeatResponse>(OnHeartbeat);
        Receive<LeaveGroupResponse>(_ => { });
        Receive<Leave>(_ => LeaveGroup());
        Receive<LookUpCoordinator>(_ => LookUp());
        Receive<CoordinatorFound>(OnCoordinatorFound);
        Receive<CoordinatorLost>(lost => OnCoordinatorLost(lost.NodeId, "its connection dropped"));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ClientConnection connection, GroupCoordinatorLookup lookup, GroupSession session, GroupMemberSettings settings) =>
        Akka.Actor.Props.Create(() => new GroupMemberActor(connection, lookup, session, settings));

    protected override void PreStart() => SendJoin();

    protected override void PostStop()
    {
        _coordinatorWatch.Dispose();
        _stopping.Cancel();
    }

    #region coordinator

    /// <summary>Sends to the coordinator's node; false (nothing sent, a lookup under way) while it is unknown.</summary>
    private bool SendToCoordinator(object request, IActorRef sender)
    {
        if (_coordinator is null)
        {
            LookUp();
            return false;
        }

        _coordinator.Tell(request, sender);
        return true;
    }

    private void LookUp()
    {
        if (_lookingUp || _coordinator is not null)
        {
            return;
        }

        _lookingUp = true;
        _lookup.FindAsync(_stopping.Token).PipeTo(
            Self,
            success: nodeId => new CoordinatorFound(nodeId),
            failure: _ => new CoordinatorFound(-1));
    }

    private void OnCoordinatorFound(CoordinatorFound found)
    {
        _lookingUp = false;
        var endpoint = found.NodeId >= 0 ? _connection.Endpoint(found.NodeId) : null;
        if (endpoint is null)
        {
            if (!_stopping.IsCancellationRequested)
            {
                Timers.StartSingleTimer("look-up", new LookUpCoordinator(), TimeSpan.FromMilliseconds(Math.Max(1, _settings.RetryBackoffMs)));
            }

            return;
        }

        _coordinatorNode = found.NodeId;
        _coordinator = endpoint;
        _coordinatorWatch.Dispose();
        var self = Self;
        var node = found.NodeId;
        _coordinatorWatch = _connection.LostToken(node).Register(() => self.Tell(new CoordinatorLost(node)));
        _log.Info("Group {0}: coordinator on node {1}", _settings.GroupId, node);
        if (_joining)
        {
            SendJoin(); // the JoinGroup sent to the old coordinator (if any) is lost with it
        }
        else
        {
            OnHeartbeatTick(); // learn at once whether the group is still Stable there
        }
    }

    /// <summary>The coordinator's node died or says it is not the coordinator: find where it moved.</summary>
    private void OnCoordinatorLost(int nodeId, string why)
    {
        if (nodeId != _coordinatorNode || _coordinator is null)
        {
            return;
        }

        _log.Info("Group {0}: coordinator on node {1} lost ({2}): looking it up again", _settings.GroupId, nodeId, why);
        _coordinator = null;
        _coordinatorNode = -1;
        _coordinatorWatch.Dispose();
        _lookup.Invalidate(nodeId);
        LookUp();
    }

    private static bool IsCoordinatorError(ErrorCode error) => error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable;

    #endregion

    private void SendJoin()
    {
        _joining = true;
        _joinAttempt++;
        Timers.Cancel("heartbeat");
        var request = new JoinGroupRequest
        {
            GroupId = _settings.GroupId,
            MemberId = _memberId,
            ClientId = _settings.ClientId,
            SessionTimeoutMs = _settings.SessionTimeoutMs,
            RebalanceTimeoutMs = _settings.RebalanceTimeoutMs,
            Assignors = { _settings.Assignor },
        };
        if (_settings.GroupInstanceId is not null)
        {
            request.GroupInstanceId = _settings.GroupInstanceId;
        }

        request.Topics.AddRange(_settings.Topics);
        if (_settings.TopicPattern is not null)
        {
            request.TopicPattern = _settings.TopicPattern;
        }

        request.OwnedPartitions.AddRange(_owned.Select(tp => new GroupPartition { Topic = tp.Topic, Partition = tp.Partition }));
        SendToCoordinator(request, Self);
        Timers.StartSingleTimer("join-timeout", new JoinTimedOut(_joinAttempt), TimeSpan.FromMilliseconds(_settings.RebalanceTimeoutMs + 10_000L));
    }

    private void OnJoined(JoinGroupResponse response)
    {
        if (!_joining)
        {
            return;
        }

        _joining = false;
        Timers.Cancel("join-timeout");
        var error = (ErrorCode)response.ErrorCode;
        switch (error)
        {
            case ErrorCode.None:
                _memberId = response.MemberId;
                _generation = response.GenerationId;
                var assignment = response.Assignment.Select(p => new TopicPartition(p.Topic, p.Partition)).ToList();
                if (_settings.Cooperative)
                {
                    // Until the consumer has revoked what it lost, it still owns it: keep declaring it (never under-declare).
                    _owned = _owned.Union(assignment).ToList();
                }

                _session.Assigned(_memberId, _generation, assignment);
                Timers.StartPeriodicTimer("heartbeat", new HeartbeatTick(), TimeSpan.FromMilliseconds(_settings.HeartbeatIntervalMs));
                return;
            case var coordinatorError when IsCoordinatorError(coordinatorError):
                OnCoordinatorLost(_coordinatorNode, coordinatorError.ToString());
                break;
            case ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration:
                _memberId = "";
                _generation = -1;
                _session.SetIdentity("", -1);
                if (_owned.Count > 0)
                {
                    // The membership is gone while the consumer holds partitions: they are lost; the consumer rejoins.
                    LoseAndWait();
                    return;
                }

                break;
            default:
                _log.Warning("JoinGroup for group {0} failed with {1}: retrying", _settings.GroupId, error);
                break;
        }

        Timers.StartSingleTimer("rejoin", new Rejoin(_owned), TimeSpan.FromMilliseconds(_settings.RetryBackoffMs));
    }

    private void OnHeartbeatTick()
    {
        if (_joining || _awaitingConsumer || _memberId.Length == 0)
        {
            return;
        }

        if (_session.MillisSinceLastPoll > _settings.MaxPollIntervalMs)
        {
            PollTimedOut();
            return;
        }

        var request = new HeartbeatRequest { GroupId = _settings.GroupId, MemberId = _memberId, GenerationId = _generation };
        if (_settings.GroupInstanceId is not null)
        {
            request.GroupInstanceId = _settings.GroupInstanceId;
        }

        SendToCoordinator(request, Self);
    }

    private void OnHeartbeat(HeartbeatResponse response)
    {
        if (_joining || _awaitingConsumer)
        {
            return;
        }

        switch ((ErrorCode)response.ErrorCode)
        {
            case ErrorCode.None:
                return;
            case ErrorCode.RebalanceInProgress when _settings.Cooperative:
                // Keep the partitions (the consumer goes on fetching them) and declare them in the new round.
                SendJoin();
                return;
            case ErrorCode.RebalanceInProgress:
                // The consumer commits and revokes on its next poll, then sends Rejoin.
                _awaitingConsumer = true;
                Timers.Cancel("heartbeat");
                _session.RequestRevoke();
                return;
            case ErrorCode.UnknownMemberId:
                _memberId = "";
                _generation = -1;
                _session.SetIdentity("", -1);
                LoseAndWait();
                return;
            case ErrorCode.IllegalGeneration:
                LoseAndWait();
                return;
            case var coordinatorError when IsCoordinatorError(coordinatorError):
                OnCoordinatorLost(_coordinatorNode, coordinatorError.ToString());
                return;
            default:
                _log.Warning("Heartbeat for group {0} failed with {1}", _settings.GroupId, (ErrorCode)response.ErrorCode);
                return;
        }
    }

    /// <summary>Kafka's poll timeout: the application stopped polling, so it is taken out of the group until it polls again.</summary>
    private void PollTimedOut()
    {
        _log.Warning(
            "Consumer of group {0} did not poll for {1} ms (max.poll.interval.ms = {2}): leaving the group; its partitions are lost until the next poll rejoins",
            _settings.GroupId,
            _session.MillisSinceLastPoll,
            _settings.MaxPollIntervalMs);
        if (_settings.GroupInstanceId is null)
        {
            SendToCoordinator(new LeaveGroupRequest { GroupId = _settings.GroupId, MemberId = _memberId }, Self);
            _memberId = "";
            _generation = -1;
            _session.SetIdentity("", -1);
        }

        LoseAndWait();
    }

    private void LoseAndWait()
    {
        _awaitingConsumer = true;
        _owned = [];
        Timers.Cancel("heartbeat");
        _session.Lose();
    }

    /// <summary>
    /// Close: a dynamic member sends LeaveGroup so its partitions move at once. A static member does not (Kafka's behaviour):
    /// it keeps its partitions until <c>session.timeout.ms</c>, so a restart with the same <c>group.instance.id</c> causes no
    /// rebalance. Like Kafka's consumer, a member whose coordinator is unknown does not leave (the moved coordinator removes
    /// it when it sees the member's actor stop, or after its session); and the leave ends as soon as the coordinator's
    /// connection drops, so it never waits for a dead node.
    /// </summary>
    private void LeaveGroup()
    {
        Timers.CancelAll();
        _joining = false;
        var replyTo = Sender;
        if (_memberId.Length == 0 || _settings.GroupInstanceId is not null || _coordinator is null)
        {
            replyTo.Tell(new LeaveGroupResponse { ErrorCode = _coordinator is null && _memberId.Length > 0 ? (int)ErrorCode.CoordinatorNotAvailable : 0 });
            Context.Stop(Self);
            return;
        }

        var request = new LeaveGroupRequest { GroupId = _settings.GroupId, MemberId = _memberId };
        _memberId = "";
        _coordinator.Tell(request, Self);
        Become(() =>
        {
            Receive<LeaveGroupResponse>(response =>
            {
                replyTo.Tell(response);
                Context.Stop(Self);
            });
            Receive<CoordinatorLost>(lost => lost.NodeId == _coordinatorNode, _ =>
            {
                replyTo.Tell(new LeaveGroupResponse { ErrorCode = (int)ErrorCode.CoordinatorNotAvailable });
                Context.Stop(Self);
            });
            ReceiveAny(_ => { });
        });
    }
}

internal sealed record GroupMemberSettings(
    string GroupId,
    string? GroupInstanceId,
    string ClientId,
    IReadOnlyList<string> Topics,
    string? TopicPattern,
    string Assignor,
    int SessionTimeoutMs,
    int MaxPollIntervalMs,
    int HeartbeatIntervalMs,
    int RetryBackoffMs)
{
    /// <summary>Kafka uses max.poll.interval.ms as the rebalance timeout: the time a member has to rejoin.</summary>
    public int RebalanceTimeoutMs => MaxPollIntervalMs;

    public bool Cooperative => Assignor == "cooperative-sticky";
}
