using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using ActorStream.Broker.Logs;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Storage.Errors;
using ActorStream.Storage.Log;
using ActorStream.Storage.Records;
using Google.Protobuf;

namespace ActorStream.Broker.Partition;

/// <summary>
/// The leader of one partition: a sharded, persistent entity (entity id <c>&lt;topic id&gt;-&lt;partition&gt;</c>).
/// <code>
///  Recovering ──RecoveryCompleted──▶ Electing ──LeaderElected──▶ OpeningLog ──LogOpened + epoch persisted──▶ Leading
///                                       ▲  no answer: retry                                                      │
///                                       └──────────────────────── (restart, hand-over) ◀─────────────────────────┘
/// </code>
/// Its journal holds partition facts that must follow leadership, never records: the leader epochs it started
/// (epoch → start offset, for follower truncation), the log start offset, and snapshots of the high watermark and
/// idempotent producer state. Records go to the segment log it gets from the node's <see cref="LogManager"/>.
/// Commands that arrive before it leads are stashed.
/// </summary>
public sealed partial class PartitionEntity : ReceivePersistentActor, IWithTimers
{
    #region messages

    private sealed class ElectTimeout
    {
        public static readonly ElectTimeout Instance = new();
    }

    private sealed class SnapshotTick
    {
        public static readonly SnapshotTick Instance = new();
    }

    private sealed record ParkedFetchExpired(long Id);

    #endregion

    private readonly PartitionEntityId _id;
    private readonly BrokerSettings _settings;
    private readonly IActorRef _logManager;
    private readonly IActorRef _controller;
    private readonly ILoggingAdapter _logger = Context.GetLogger();
    private readonly List<LeaderEpochStarted> _epochs = [];
    private readonly ProducerStateManager _producers = new();
    private readonly List<PendingAck> _pendingAcks = [];
    private readonly Dictionary<long, ParkedFetch> _parkedFetches = [];
    private PartitionSnapshot? _recoveredSnapshot;
    private TopicState? _topic;
    private PartitionAssignment? _assignment;
    private PartitionLog? _log;
    private int _leaderEpoch = -1;
    private long _highWatermark;
    private long _snapshotHighWatermark = -1;
    private long _nextParkId;
    private long _openedHighWatermark;

    private readonly record struct PendingAck(IActorRef ReplyTo, long RequiredOffset, PartitionAppendResult Result);

    private readonly record struct ParkedFetch(IActorRef ReplyTo, PartitionFetch Request);

    public PartitionEntity(string entityId, BrokerSettings settings, IActorRef logManager, IActorRef controller)
    {
        _id = PartitionEntityId.Parse(entityId);
        _settings = settings;
        _logManager = logManager;
        _controller = controller;
        PersistenceId = "partition-" + entityId;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is PartitionSnapshot snapshot)
            {
                _recoveredSnapshot = snapshot;
                _epochs.Clear();
                _epochs.AddRange(snapshot.Epochs);
                RecoverCheckpoint(snapshot);
            }
        });
        Recover<LeaderEpochStarted>(_epochs.Add);
        Recover<LogStartOffsetMoved>(e => _journalLogStartOffset = Math.Max(_journalLogStartOffset, e.LogStartOffset));
        Recover<PartitionHistoryTruncated>(ApplyHistoryTruncated);
        Recover<RecoveryCompleted>(_ => StartElection());
        Electing();
    }

    private void Electing()
    {
        Command<ElectTimeout>(_ => StartElection());
        Command<LeaderElected>(HandleLeaderElected);
        Command<LogManager.LogOpened>(HandleLogOpened);
        Command<LogManager.LogOpenFailed>(failed =>
        {
            _logger.Error("[Partition {0}] Cannot open the log: {1}; retrying", _id, failed.Reason);
            Timers.StartSingleTimer("elect", ElectTimeout.Instance, TimeSpan.FromSeconds(5));
        });
        Command<PartitionHandOff>(_ => Context.Stop(Self));
        CommandAny(_ => Stash.Stash());
    }

    private void BecomeElecting() => Become(Electing);

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string entityId, BrokerSettings settings, IActorRef logManager, IActorRef controller) =>
        Akka.Actor.Props.Create(() => new PartitionEntity(entityId, settings, logManager, controller));

    private string Name => _topic is null ? _id.ToString() : $"{_topic.Name}-{_id.Partition}";

    private void StartElection()
    {
        _controller.Tell(new ElectLeader { TopicId = _id.TopicId, Partition = _id.Partition, NodeId = _settings.NodeId });
        Timers.StartSingleTimer("elect", ElectTimeout.Instance, TimeSpan.FromSeconds(3));
    }

    private void HandleLeaderElected(LeaderElected elected)
    {
        if (_log is not null)
        {
            return;
        }

        Timers.Cancel("elect");
        if ((ErrorCode)elected.ErrorCode == ErrorCode.UnknownTopicId)
        {
            // The topic was deleted while this entity was away: nothing to serve.
            _logger.Info("[Partition {0}] Topic no longer exists; stopping", _id);
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
            return;
        }

        if (elected.ErrorCode != 0)
        {
            _logger.Warning("[Partition {0}] Election failed: {1}; retrying", _id, elected.ErrorMessage);
            Timers.StartSingleTimer("elect", ElectTimeout.Instance, TimeSpan.FromSeconds(1));
            return;
        }

        _topic = elected.Topic;
        _leaderEpoch = elected.LeaderEpoch;
        _assignment = _topic.Partitions.FirstOrDefault(p => p.Partition == _id.Partition)
            ?? new PartitionAssignment { Partition = _id.Partition, Replicas = { _settings.NodeId }, Isr = { _settings.NodeId } };
        var config = TopicConfigs.ToLogConfig(_settings.LogDefaults, _topic.Configs);
        _logManager.Tell(new LogManager.OpenLog(_id.TopicId, _topic.Name, _id.Partition, config));
    }

    private void HandleLogOpened(LogManager.LogOpened opened)
    {
        if (_log is not null)
        {
            return;
        }

        _log = opened.Log;
        _openedHighWatermark = opened.HighWatermark;
        if (CheckLogAgainstJournal())
        {
            StartLeading();
        }
    }

    private void StartLeading()
    {
        var log = _log!;
        ApplyJournalLogStartOffset();
        RebuildProducerState();
        InitReplication(_assignment!);
        // Alone in the ISR, everything in the local log is committed. Otherwise the high watermark starts where this
        // node last knew it (as follower, or from the partition's snapshot) and moves once the followers have fetched:
        // records past it were maybe acknowledged by the old leader, so they are kept, just not yet visible.
        var known = Math.Max(_openedHighWatermark, _recoveredSnapshot?.HighWatermark ?? 0);
        _highWatermark = _isr.All(n => n == _settings.NodeId) ? log.LogEndOffset : Math.Min(known, log.LogEndOffset);
        var started = new LeaderEpochStarted { LeaderEpoch = _leaderEpoch, StartOffset = log.LogEndOffset, NodeId = _settings.NodeId };
        Persist(started, e =>
        {
            _epochs.Add(e);
            _logger.Info("[Partition {0}] Leading with epoch {1} from offset {2} (log start {3})", Name, _leaderEpoch, log.LogEndOffset, log.LogStartOffset);
            Become(Leading);
            Timers.StartPeriodicTimer("snapshot", SnapshotTick.Instance, _settings.PartitionSnapshotInterval);
            Stash.UnstashAll();
        });
    }

    private void RebuildProducerState()
    {
        var log = _log!;
        var from = log.LogStartOffset;
        if (_recoveredSnapshot is { } snapshot && snapshot.ProducerStateOffset <= log.LogEndOffset && snapshot.ProducerStateOffset >= log.LogStartOffset)
        {
            _producers.Restore(snapshot.Producers);
            from = snapshot.ProducerStateOffset;
        }

        while (from < log.LogEndOffset)
        {
            var bytes = log.Read(from, 1024 * 1024).Records.ToArray();
            if (bytes.Length == 0)
            {
                break;
            }

            foreach (var batch in RecordBatchReader.ReadBatches(bytes, verifyChecksums: false))
            {
                if (batch.Header.BaseOffset >= from)
                {
                    _producers.OnAppended(batch.Header);
                }

                from = batch.Header.NextOffset;
            }
        }
    }

    private void Leading()
    {
        Command<PartitionAppend>(HandleAppend);
        Command<PartitionFetch>(HandleFetch);
        Command<ParkedFetchExpired>(HandleParkedFetchExpired);
        Command<PartitionListOffset>(HandleListOffset);
        Command<PartitionDeleteRecords>(HandleDeleteRecords);
        Command<PartitionOffsetForLeaderEpoch>(HandleOffsetForLeaderEpoch);
        Command<PartitionConfigsChanged>(HandleConfigsChanged);
        Command<PartitionDelete>(HandleDelete);
        Command<SnapshotTick>(_ => MaybeSaveSnapshot());
        Command<IsrCheckTick>(_ => HandleIsrCheck());
        Command<AlterIsrResult>(HandleAlterIsrResult);
        Command<AlterIsrFailed>(failed =>
        {
            _alterIsrInFlight = false;
            _logger.Warning("[Partition {0}] The controller did not answer an ISR change: {1}", Name, failed.Reason);
        });
        Command<PartitionStateChanged>(changed => ApplyPartitionState(changed.Partition));
        Command<SaveSnapshotSuccess>(success => DeleteMessages(success.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(failure => _logger.Warning("[Partition {0}] Snapshot failed: {1}", Name, failure.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(_ => { });
        Command<LeaderElected>(_ => { });
        Command<ElectTimeout>(_ => { });
        Command<LogManager.LogOpened>(_ => { });
        Command<PartitionHandOff>(_ => HandleHandOff());
    }

    protected override void PostStop()
    {
        foreach (var pending in _pendingAcks)
        {
            pending.ReplyTo.Tell(Error(ErrorCode.NotLeaderOrFollower, "The partition leader stopped before the batch was committed"));
        }

        foreach (var parked in _parkedFetches.Values)
        {
            parked.ReplyTo.Tell(new PartitionFetchResult { ErrorCode = (int)ErrorCode.NotLeaderOrFollower, HighWatermark = _highWatermark });
        }

        base.PostStop();
    }

    private static PartitionAppendResult Error(ErrorCode code, string message) =>
        new() { ErrorCode = (int)code, ErrorMessage = message, BaseOffset = -1 };

    private void MaybeSaveSnapshot()
    {
        if (_log is null || _highWatermark == _snapshotHighWatermark)
        {
            return;
        }

        var snapshot = new PartitionSnapshot
        {
            LogStartOffset = _log.LogStartOffset,
            HighWatermark = _highWatermark,
            ProducerStateOffset = _log.LogEndOffset,
        };
        snapshot.Epochs.AddRange(_epochs);
        snapshot.Producers.AddRange(_producers.ToSnapshot());
        _snapshotHighWatermark = _highWatermark;
        SaveSnapshot(snapshot);
    }

    private void HandleDelete(PartitionDelete delete)
    {
        _logManager.Tell(new LogManager.DeleteLog(_id.TopicId, _topic!.Name, _id.Partition));
        _log = null;
        var replyTo = Sender;
        Become(() =>
        {
            Command<LogManager.LogDeleted>(_ =>
            {
                DeleteMessages(long.MaxValue);
                DeleteSnapshots(SnapshotSelectionCriteria.Latest);
                replyTo.Tell(new PartitionDeleted { EntityId = delete.EntityId });
                Context.Parent.Tell(new Passivate(PoisonPill.Instance));
            });
            Command<PartitionAppend>(_ => Sender.Tell(Error(ErrorCode.UnknownTopicOrPartition, $"Topic {_topic.Name} is being deleted")));
            Command<PartitionFetch>(_ => Sender.Tell(new PartitionFetchResult { ErrorCode = (int)ErrorCode.UnknownTopicOrPartition }));
            Command<PartitionListOffset>(_ => Sender.Tell(new PartitionListOffsetResult { ErrorCode = (int)ErrorCode.UnknownTopicOrPartition, Offset = -1 }));
            Command<PartitionDeleteRecords>(_ => Sender.Tell(new PartitionDeleteRecordsResult { ErrorCode = (int)ErrorCode.UnknownTopicOrPartition, LowWatermark = -1 }));
            Command<PartitionOffsetForLeaderEpoch>(_ => Sender.Tell(new PartitionOffsetForLeaderEpochResult { ErrorCode = (int)ErrorCode.UnknownTopicOrPartition, LeaderEpoch = -1, EndOffset = -1 }));
            Command<PartitionHandOff>(_ => Context.Stop(Self));
            CommandAny(_ => { });
        });
    }
}
