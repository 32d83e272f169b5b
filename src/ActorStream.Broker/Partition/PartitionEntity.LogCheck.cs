using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using ActorStream.Broker.Logs;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Partition;

/// <summary>
/// Before an elected leader serves, its local log is checked against what the partition's journal proves existed: the
/// last checkpointed high watermark (committed, so on every in-sync replica), the log start offset, and the start offset
/// of the last leader epoch when this node led it (this node's log reached it). A log that is missing (an emptied or
/// lost data dir: the log manager opens an empty one) or ends below that offset has lost records, and the controller
/// decides (<see cref="ReplicaLogLost"/>): out of the ISR and follow an in-sync replica that has them; offline when none
/// does; or, with <c>unclean.leader.election.enable=true</c>, lead from what is left and cut the journal's history to it.
/// What the check cannot see: records above the last checkpoint that were committed after it (the checkpoint is taken
/// every <c>partition.snapshot-interval</c> and when a leader stops cleanly) and not covered by an epoch this node started.
/// </summary>
public sealed partial class PartitionEntity
{
    private sealed record ReplicaLogLostFailed(string Reason);

    /// <summary>The high watermark of the partition's last checkpoint (snapshot), cut back by an unclean election.</summary>
    private long _checkpointHighWatermark;

    /// <summary>The log start offset the partition's journal knows (snapshot or <see cref="LogStartOffsetMoved"/>).</summary>
    private long _journalLogStartOffset;

    private void RecoverCheckpoint(PartitionSnapshot snapshot)
    {
        _checkpointHighWatermark = snapshot.HighWatermark;
        _journalLogStartOffset = snapshot.LogStartOffset;
    }

    private void ApplyHistoryTruncated(PartitionHistoryTruncated truncated)
    {
        _epochs.RemoveAll(e => e.StartOffset > truncated.EndOffset);
        _checkpointHighWatermark = Math.Min(_checkpointHighWatermark, truncated.EndOffset);
        _journalLogStartOffset = Math.Min(_journalLogStartOffset, truncated.EndOffset);
        // Producer state and the high watermark of the old snapshot describe records that are gone: rebuild from the log.
        _recoveredSnapshot = null;
    }

    /// <summary>The offset the local log must reach, and which journal fact proves it.</summary>
    private (long Offset, string Proof) RequiredLogEnd()
    {
        var required = 0L;
        var proof = "nothing";
        if (_checkpointHighWatermark > required)
        {
            (required, proof) = (_checkpointHighWatermark, $"the checkpointed high watermark {_checkpointHighWatermark}");
        }

        if (_journalLogStartOffset > required)
        {
            (required, proof) = (_journalLogStartOffset, $"the log start offset {_journalLogStartOffset}");
        }

        if (_epochs.Count > 0 && _epochs[^1] is { } last && last.NodeId == _settings.NodeId && last.StartOffset > required)
        {
            (required, proof) = (last.StartOffset, $"leader epoch {last.LeaderEpoch}, which this node started at offset {last.StartOffset}");
        }

        return (required, proof);
    }

    /// <summary>True when the log may be served; otherwise the controller has been asked and the entity waits for it.</summary>
    private bool CheckLogAgainstJournal()
    {
        var log = _log!;
        var (required, proof) = RequiredLogEnd();
        if (log.LogEndOffset >= required)
        {
            return true;
        }

        var lost = new ReplicaLogLost
        {
            TopicId = _id.TopicId,
            Partition = _id.Partition,
            NodeId = _settings.NodeId,
            LeaderEpoch = _leaderEpoch,
            LogEndOffset = log.LogEndOffset,
            RequiredOffset = required,
            LogDir = log.Directory,
        };
        _logger.Warning("[Partition {0}] The log {1} ends at offset {2}, but the partition's journal proves offsets up to {3} existed ({4}): asking the controller", Name, log.Directory, log.LogEndOffset, required, proof);
        _controller.Ask<ReplicaLogLostResult>(lost, _settings.RequestTimeout)
            .PipeTo(Self, failure: e => new ReplicaLogLostFailed(e.Message));
        Become(() =>
        {
            Command<ReplicaLogLostResult>(result => HandleReplicaLogLostResult(lost, proof, result));
            Command<ReplicaLogLostFailed>(failed =>
            {
                _logger.Warning("[Partition {0}] The controller did not answer about the lost log: {1}; electing again", Name, failed.Reason);
                GiveBackLog();
                BecomeElecting();
                Timers.StartSingleTimer("elect", ElectTimeout.Instance, TimeSpan.FromSeconds(1));
            });
            Command<PartitionHandOff>(_ => Context.Stop(Self));
            CommandAny(_ => Stash.Stash());
        });
        return false;
    }

    private void HandleReplicaLogLostResult(ReplicaLogLost lost, string proof, ReplicaLogLostResult result)
    {
        var name = Name;
        if (result.LeadUnclean)
        {
            _logger.Warning("[Partition {0}] Unclean leader election (unclean.leader.election.enable=true): leading from offset {1} of {2}; offsets [{1}, {3}) are lost ({4})", name, lost.LogEndOffset, lost.LogDir, lost.RequiredOffset, proof);
            var truncated = new PartitionHistoryTruncated { EndOffset = lost.LogEndOffset, LostFrom = lost.LogEndOffset, LostTo = lost.RequiredOffset };
            Persist(truncated, e =>
            {
                ApplyHistoryTruncated(e);
                StartLeading();
            });
            return;
        }

        switch ((ErrorCode)result.ErrorCode)
        {
            case ErrorCode.None:
                _logger.Warning("[Partition {0}] Out of the ISR (now [{1}]): the log {2} lost offsets [{3}, {4}) ({5}); this node catches up from an in-sync replica as a follower", name, string.Join(',', result.Partition?.Isr ?? []), lost.LogDir, lost.LogEndOffset, lost.RequiredOffset, proof);
                GiveBackLog();
                BecomeNotLeading($"This node's replica of {name} is catching up; not the leader");
                return;
            case ErrorCode.LeaderNotAvailable:
                var message = $"Partition {name} is offline: its log {lost.LogDir} ends at offset {lost.LogEndOffset}, but the partition's journal proves offsets up to {lost.RequiredOffset} existed ({proof}); "
                    + $"offsets [{lost.LogEndOffset}, {lost.RequiredOffset}) are missing and no other in-sync replica has them. "
                    + "Bring the data dir back, or set unclean.leader.election.enable=true on the topic to lead from what is left (losing them)";
                _logger.Error("[Partition {0}] {1}", name, message);
                GiveBackLog();
                BecomeOffline(message);
                return;
            default:
                _logger.Info("[Partition {0}] The controller answered {1} about the lost log: {2}; electing again", name, (ErrorCode)result.ErrorCode, result.ErrorMessage);
                GiveBackLog();
                BecomeElecting();
                Timers.StartSingleTimer("elect", ElectTimeout.Instance, TimeSpan.FromSeconds(1));
                return;
        }
    }

    /// <summary>The log manager takes the log back, so this node's replica fetcher can write it.</summary>
    private void GiveBackLog()
    {
        if (_log is not null && _topic is not null)
        {
            _logManager.Tell(new LogManager.ReturnLog(_id.TopicId, _topic.Name, _id.Partition));
        }

        _log = null;
    }

    /// <summary>
    /// Not the leader: requests are refused (NOT_LEADER_OR_FOLLOWER, retriable) and the election is retried now and
    /// then, which succeeds once this node is back in the ISR (or the shard has moved to an in-sync replica meanwhile).
    /// </summary>
    private void BecomeNotLeading(string reason)
    {
        Stash.UnstashAll();
        Timers.StartSingleTimer("elect", ElectTimeout.Instance, TimeSpan.FromSeconds(5));
        Become(() =>
        {
            RefuseRequests(ErrorCode.NotLeaderOrFollower, reason);
            Command<ElectTimeout>(_ =>
            {
                _controller.Tell(new ElectLeader { TopicId = _id.TopicId, Partition = _id.Partition, NodeId = _settings.NodeId });
                Timers.StartSingleTimer("elect", ElectTimeout.Instance, TimeSpan.FromSeconds(5));
            });
            Command<LeaderElected>(elected =>
            {
                if (elected.ErrorCode == 0)
                {
                    BecomeElecting();
                    HandleLeaderElected(elected);
                }
            });
            Command<PartitionHandOff>(_ => Context.Stop(Self));
            CommandAny(_ => { });
        });
    }

    /// <summary>Offline (no in-sync replica has the data): every request gets LEADER_NOT_AVAILABLE with the reason.</summary>
    private void BecomeOffline(string reason)
    {
        Stash.UnstashAll();
        Timers.Cancel("elect");
        Become(() =>
        {
            RefuseRequests(ErrorCode.LeaderNotAvailable, reason);
            Command<PartitionHandOff>(_ => Context.Stop(Self));
            CommandAny(_ => { });
        });
    }

    private void RefuseRequests(ErrorCode code, string reason)
    {
        Command<PartitionAppend>(_ => Sender.Tell(Error(code, reason)));
        Command<PartitionFetch>(_ => Sender.Tell(new PartitionFetchResult { ErrorCode = (int)code, ErrorMessage = reason, HighWatermark = -1, LogStartOffset = -1 }));
        Command<PartitionListOffset>(_ => Sender.Tell(new PartitionListOffsetResult { ErrorCode = (int)code, ErrorMessage = reason, Offset = -1, Timestamp = -1 }));
    }

    /// <summary>A clean stop of the leader: checkpoint the high watermark first (what the log check relies on), then stop.</summary>
    private void HandleHandOff()
    {
        if (_log is null || _highWatermark == _snapshotHighWatermark)
        {
            Context.Stop(Self);
            return;
        }

        MaybeSaveSnapshot();
        Timers.StartSingleTimer("hand-off", PartitionHandOff.Instance, _settings.RequestTimeout);
        Become(() =>
        {
            Command<SaveSnapshotSuccess>(_ => Context.Stop(Self));
            Command<SaveSnapshotFailure>(failure =>
            {
                _logger.Warning("[Partition {0}] Final checkpoint failed: {1}", Name, failure.Cause.Message);
                Context.Stop(Self);
            });
            Command<PartitionHandOff>(_ => Context.Stop(Self));
            RefuseRequests(ErrorCode.NotLeaderOrFollower, $"The leader of {Name} is stopping");
            CommandAny(_ => { });
        });
    }
}
