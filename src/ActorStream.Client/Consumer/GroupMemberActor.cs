using Akka.Actor;
using Akka.Event;
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
/// long-polled reply, heartbeats, and asks the consumer (through <see cref="GroupSession"/>) to revoke before rejoining
/// (eager protocol: every partition is revoked and committed before the member rejoins).
/// </summary>
internal sealed class GroupMemberActor : ReceiveActor, IWithTimers
{
    public sealed record Rejoin;

    public sealed record Leave;

    private sealed record HeartbeatTick;

    private sealed record JoinTimedOut(int Attempt);

    private readonly Func<IActorRef> _endpoint;
    private readonly GroupSession _session;
    private readonly GroupMemberSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private string _memberId = "";
    private int _generation = -1;
    private int _joinAttempt;
    private bool _joining;
    private bool _awaitingRevoke;

    public GroupMemberActor(Func<IActorRef> endpoint, GroupSession session, GroupMemberSettings settings)
    {
        _endpoint = endpoint;
        _session = session;
        _settings = settings;
        Receive<Rejoin>(_ =>
        {
            _awaitingRevoke = false;
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
        Receive<HeartbeatTick>(_ => SendHeartbeat());
        Receive<HeartbeatResponse>(OnHeartbeat);
        Receive<Leave>(_ => LeaveGroup());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Func<IActorRef> endpoint, GroupSession session, GroupMemberSettings settings) =>
        Akka.Actor.Props.Create(() => new GroupMemberActor(endpoint, session, settings));

    protected override void PreStart() => SendJoin();

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
        _endpoint().Tell(request, Self);
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
                _session.Assigned(_memberId, _generation, response.Assignment.Select(p => new TopicPartition(p.Topic, p.Partition)).ToList());
                Timers.StartPeriodicTimer("heartbeat", new HeartbeatTick(), TimeSpan.FromMilliseconds(_settings.HeartbeatIntervalMs));
                return;
            case ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration:
                _memberId = "";
                _generation = -1;
                _session.SetIdentity("", -1);
                break;
            default:
                _log.Warning("JoinGroup for group {0} failed with {1}: retrying", _settings.GroupId, error);
                break;
        }

        Timers.StartSingleTimer("rejoin", new Rejoin(), TimeSpan.FromMilliseconds(_settings.RetryBackoffMs));
    }

    private void SendHeartbeat()
    {
        if (_joining || _awaitingRevoke || _memberId.Length == 0)
        {
            return;
        }

        var request = new HeartbeatRequest { GroupId = _settings.GroupId, MemberId = _memberId, GenerationId = _generation };
        if (_settings.GroupInstanceId is not null)
        {
            request.GroupInstanceId = _settings.GroupInstanceId;
        }

        _endpoint().Tell(request, Self);
    }

    private void OnHeartbeat(HeartbeatResponse response)
    {
        if (_joining || _awaitingRevoke)
        {
            return;
        }

        switch ((ErrorCode)response.ErrorCode)
        {
            case ErrorCode.None:
                return;
            case ErrorCode.RebalanceInProgress:
                // The consumer commits and revokes on its next poll, then sends Rejoin.
                _awaitingRevoke = true;
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
            default:
                _log.Warning("Heartbeat for group {0} failed with {1}", _settings.GroupId, (ErrorCode)response.ErrorCode);
                return;
        }
    }

    private void LoseAndWait()
    {
        _awaitingRevoke = true;
        Timers.Cancel("heartbeat");
        _session.Lose();
    }

    private void LeaveGroup()
    {
        Timers.CancelAll();
        _joining = false;
        if (_memberId.Length == 0)
        {
            Sender.Tell(new LeaveGroupResponse());
            return;
        }

        var request = new LeaveGroupRequest { GroupId = _settings.GroupId, MemberId = _memberId };
        if (_settings.GroupInstanceId is not null)
        {
            request.GroupInstanceId = _settings.GroupInstanceId;
        }

        _memberId = "";
        _endpoint().Forward(request);
        Become(() => ReceiveAny(_ => { }));
    }
}

internal sealed record GroupMemberSettings(
    string GroupId,
    string? GroupInstanceId,
    string ClientId,
    IReadOnlyList<string> Topics,
    string Assignor,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    int HeartbeatIntervalMs,
    int RetryBackoffMs);
