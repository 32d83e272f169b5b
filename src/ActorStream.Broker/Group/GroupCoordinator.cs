using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using ActorStream.Broker.Controller;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using P = ActorStream.Protocol.Group;

namespace ActorStream.Broker.Group;

/// <summary>
/// The group coordinator: a persistent cluster singleton (<c>/user/group-coordinator</c>, reached through
/// <c>/user/group-coordinator-proxy</c>) that owns one <see cref="GroupCoordinatorShard"/> holding every consumer group.
/// <para>
/// Each request becomes a shard command; the returned events are persisted (<c>PersistAll</c>) and applied one by one with
/// the same <see cref="GroupCoordinatorShard.Apply"/> recovery uses, then the reply is sent. JoinGroup and SyncGroup replies
/// that must wait for other members are parked and settled after every applied event of their group
/// (<see cref="GroupCoordinatorShard.JoinResponseFor"/> / <see cref="GroupCoordinatorShard.SyncResponseFor"/>): a parked sync
/// gets REBALANCE_IN_PROGRESS as soon as a new rebalance starts.
/// </para>
/// <para>
/// Timers (<see cref="IWithTimers"/>): one session timer per member (the shard decides whether it really expired and when to
/// look again), one rebalance timer per rebalancing group, and a periodic offset expiry. DeathWatch: the sender of a
/// JoinGroup (unless it is a temporary Ask actor) is watched; when it terminates, a dynamic member leaves at once while a
/// static member keeps its partitions until its session expires. Group state is keyed by member id only: the
/// member id → actor map exists for watching and nothing else.
/// </para>
/// <para>
/// Topic partition counts come from the controller's metadata (pub-sub, an initial <see cref="GetMetadataSnapshot"/> and a
/// slow poll); after recovery they are seeded from the recovered assignments, so a restart or hand-over alone causes no
/// rebalance.
/// The journal is bounded: a snapshot every <c>snapshotEvery</c> events, then older events and snapshots are deleted.
/// </para>
/// </summary>
public sealed partial class GroupCoordinator : ReceivePersistentActor, IWithTimers
{
    public const string Name = "group-coordinator";

    private static readonly TimeSpan MetadataPollInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DefaultOffsetExpiryInterval = TimeSpan.FromMinutes(10);

    private readonly GroupCoordinatorShard _shard;
    private readonly IActorRef? _controller;
    private readonly bool _subscribeToMetadata;
    private readonly TimeProvider _time;
    private readonly int _snapshotEvery;
    private readonly TimeSpan _offsetExpiryInterval;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, List<Parked>> _parkedJoins = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Parked>> _parkedSyncs = new(StringComparer.Ordinal);
    private readonly Dictionary<(string GroupId, string MemberId), IActorRef> _memberActors = [];
    private long _metadataVersion = long.MinValue;
    private int _eventsSinceSnapshot;

    /// <param name="config">The shard's settings.</param>
    /// <param name="controller">The controller (proxy) asked for the first metadata snapshot; null: topics are only fed by <see cref="MetadataSnapshot"/> messages.</param>
    /// <param name="subscribeToMetadata">Subscribe to <see cref="ClusterController.MetadataTopic"/> (needs Akka.Cluster; off in actor-only tests).</param>
    /// <param name="time">The clock (a fake one in tests).</param>
    /// <param name="snapshotEvery">Save a snapshot after this many events.</param>
    /// <param name="offsetExpiryInterval">How often Empty groups' offsets are checked for <c>offsets.retention.minutes</c>.</param>
    /// <param name="memberIdFactory">Client id → new member id (tests inject deterministic ones).</param>
    public GroupCoordinator(
        GroupCoordinatorConfig config,
        IActorRef? controller,
        bool subscribeToMetadata,
        TimeProvider time,
        int snapshotEvery,
        TimeSpan offsetExpiryInterval,
        Func<string, string>? memberIdFactory)
    {
        _shard = new GroupCoordinatorShard(config, memberIdFactory);
        _controller = controller;
        _subscribeToMetadata = subscribeToMetadata;
        _time = time;
        _snapshotEvery = Math.Max(1, snapshotEvery);
        _offsetExpiryInterval = offsetExpiryInterval;

        Recover<SnapshotOffer>(offer => _shard.Restore(GroupMessageMapping.FromSnapshot((P.GroupCoordinatorSnapshot)offer.Snapshot)));
        Recover<RecoveryCompleted>(_ => OnRecovered());
        RecoverAny(message =>
        {
            if (GroupMessageMapping.ToEvent(message) is { } e)
            {
                _shard.Apply(e);
                _eventsSinceSnapshot++;
            }
        });

        Command<P.JoinGroupRequest>(HandleJoin);
        Command<P.SyncGroupRequest>(HandleSync);
        Command<P.HeartbeatRequest>(HandleHeartbeat);
        Command<P.LeaveGroupRequest>(HandleLeave);
        Command<P.OffsetCommitRequest>(r => Answer(_shard.Handle(r.ToCommand(NowMs)), response => response.ToProto()));
        Command<P.OffsetFetchRequest>(r => Answer(_shard.Handle(r.ToCommand()), response => response.ToProto()));
        Command<P.OffsetDeleteRequest>(r => Answer(_shard.Handle(r.ToCommand(NowMs)), response => response.ToProto()));
        Command<P.ResetOffsetsRequest>(r => Answer(_shard.Handle(r.ToCommand(NowMs)), response => response.ToProto()));
        Command<P.ListGroupsRequest>(r => Answer(_shard.Handle(r.ToCommand()), response => response.ToProto()));
        Command<P.DescribeGroupRequest>(r => Answer(_shard.Handle(new DescribeGroup(r.GroupId)), response => response.ToProto(r.GroupId)));
        Command<P.DeleteGroupsRequest>(HandleDeleteGroups);
        Command<MetadataSnapshot>(HandleMetadata);
        Command<PollMetadata>(_ => _controller?.Tell(new GetMetadataSnapshot()));
        Command<SessionTimer>(HandleSessionTimer);
        Command<RebalanceTimer>(HandleRebalanceTimer);
        Command<InitialDelayTimer>(HandleInitialDelayTimer);
        Command<ExpireOffsetsTick>(_ => Execute(_shard.Handle(new ExpireOffsets(NowMs)), LogExpired));
        Command<Terminated>(HandleTerminated);
        Command<SubscribeAck>(_ => { });
        Command<SaveSnapshotSuccess>(s => DeleteMessages(s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(f => _log.Warning("[GroupCoordinator] Snapshot failed: {0}", f.Cause.Message));
        Command<DeleteMessagesSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.ToSequenceNr - 1)));
        Command<DeleteMessagesFailure>(f => _log.Warning("[GroupCoordinator] Deleting events failed: {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId => Name;

    public ITimerScheduler Timers { get; set; } = null!;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Props for the singleton on a broker node: metadata from the controller proxy and pub-sub.</summary>
    public static Props Props(GroupCoordinatorConfig config, IActorRef controller, TimeSpan offsetExpiryInterval) =>
        Props(config, controller, subscribeToMetadata: true, TimeProvider.System, offsetExpiryInterval: offsetExpiryInterval);

    public static Props Props(
        GroupCoordinatorConfig config,
        IActorRef? controller,
        bool subscribeToMetadata,
        TimeProvider time,
        int snapshotEvery = 1000,
        TimeSpan? offsetExpiryInterval = null,
        Func<string, string>? memberIdFactory = null) =>
        Akka.Actor.Props.Create(() => new GroupCoordinator(
            config, controller, subscribeToMetadata, time, snapshotEvery, offsetExpiryInterval ?? DefaultOffsetExpiryInterval, memberIdFactory));

    private void OnRecovered()
    {
        var now = NowMs;
        _shard.RestartSessions(now);
        _shard.SeedTopicPartitionsFromAssignments();
        foreach (var group in _shard.Groups.Values)
        {
            EnsureTimers(group.GroupId);
        }

        _log.Info("[GroupCoordinator] Recovered {0} groups", _shard.Groups.Count);
        if (_subscribeToMetadata)
        {
            DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(ClusterController.MetadataTopic, Self));
        }

        if (_controller is not null)
        {
            // Pub-sub can lose a message (e.g. during a singleton hand-over): poll as a safety net, like the endpoint.
            _controller.Tell(new GetMetadataSnapshot());
            Timers.StartPeriodicTimer("poll-metadata", PollMetadata.Instance, MetadataPollInterval);
        }

        Timers.StartPeriodicTimer("expire-offsets", ExpireOffsetsTick.Instance, _offsetExpiryInterval);
    }

    private void LogExpired(ExpireOffsetsResponse response)
    {
        foreach (var group in response.Groups)
        {
            _log.Info("[GroupCoordinator] Group {0}: {1} offsets expired{2}", group.GroupId, group.ExpiredOffsets, group.GroupDeleted ? ", group deleted" : "");
        }
    }
}
