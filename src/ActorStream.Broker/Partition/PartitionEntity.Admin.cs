using Akka.Actor;
using Akka.Event;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Storage.Errors;

namespace ActorStream.Broker.Partition;

/// <summary>
/// The leader's admin requests: new topic configs, DeleteRecords (the log start offset moves, persisted as
/// <see cref="LogStartOffsetMoved"/> so it survives a restart and a later leader re-applies it; followers follow the
/// leader's log start offset), OffsetForLeaderEpoch for consumers (KIP-320), and the consumers' leader epoch check.
/// </summary>
public sealed partial class PartitionEntity
{
    private void HandleConfigsChanged(PartitionConfigsChanged changed)
    {
        var topic = _topic!;
        topic.Configs.Clear();
        topic.Configs.Add(changed.Configs);
        _minInsync = TopicConfigs.MinInsync(topic.Configs, _settings.MinInsyncReplicas);
        _log!.UpdateConfig(TopicConfigs.ToLogConfig(_settings.LogDefaults, topic.Configs));
        _logger.Info("[Partition {0}] Topic configs changed: min.insync.replicas={1}, {2}", Name, _minInsync, _log.Config);
    }

    /// <summary>
    /// Kafka's leader epoch check of a consumer request: an older epoch than the leader's is FENCED_LEADER_EPOCH (the
    /// client's metadata is stale), a newer one UNKNOWN_LEADER_EPOCH (this leader's is); both are retriable.
    /// </summary>
    private (ErrorCode Code, string Message)? CheckLeaderEpoch(bool hasEpoch, int epoch)
    {
        if (!hasEpoch || epoch < 0 || epoch == _leaderEpoch)
        {
            return null;
        }

        return epoch < _leaderEpoch
            ? (ErrorCode.FencedLeaderEpoch, $"Leader epoch {epoch} is older than the current {_leaderEpoch} of {Name}")
            : (ErrorCode.UnknownLeaderEpoch, $"Leader epoch {epoch} is newer than this leader's {_leaderEpoch} of {Name}");
    }

    /// <summary>The leader epoch that wrote <paramref name="offset"/> (the last epoch starting at or before it); -1 when unknown.</summary>
    private int EpochOfOffset(long offset)
    {
        var index = _epochs.FindLastIndex(e => e.StartOffset <= offset);
        return index < 0 ? -1 : _epochs[index].LeaderEpoch;
    }

    private void HandleDeleteRecords(PartitionDeleteRecords request)
    {
        var log = _log!;
        var offset = request.Offset == -1 ? _highWatermark : request.Offset;
        if (offset < 0 || offset > _highWatermark)
        {
            Sender.Tell(new PartitionDeleteRecordsResult
            {
                ErrorCode = (int)ErrorCode.OffsetOutOfRange,
                ErrorMessage = $"Cannot delete records of {Name} before offset {request.Offset}: it must be between 0 and the high watermark {_highWatermark} (or -1)",
                LowWatermark = -1,
            });
            return;
        }

        if (offset <= log.LogStartOffset)
        {
            Sender.Tell(new PartitionDeleteRecordsResult { LowWatermark = log.LogStartOffset });
            return;
        }

        var replyTo = Sender;
        // Persisted first: a restart (or a later leader on this node) re-applies it even if the log's own checkpoint was lost.
        Persist(new LogStartOffsetMoved { LogStartOffset = offset }, moved =>
        {
            _journalLogStartOffset = Math.Max(_journalLogStartOffset, moved.LogStartOffset);
            try
            {
                log.DeleteRecordsBefore(moved.LogStartOffset);
                _logger.Info("[Partition {0}] DeleteRecords: log start offset now {1}", Name, log.LogStartOffset);
                replyTo.Tell(new PartitionDeleteRecordsResult { LowWatermark = log.LogStartOffset });
            }
            catch (StorageException e)
            {
                _logger.Error(e, "[Partition {0}] DeleteRecords before {1} failed", Name, moved.LogStartOffset);
                replyTo.Tell(new PartitionDeleteRecordsResult { ErrorCode = (int)ErrorCodeExtensions.FromStorage(e.ErrorCode), ErrorMessage = e.Message, LowWatermark = -1 });
            }
        });
    }

    /// <summary>A leader's log that starts below what its journal proves was deleted moves its log start up first.</summary>
    private void ApplyJournalLogStartOffset()
    {
        var log = _log!;
        var target = Math.Min(_journalLogStartOffset, log.LogEndOffset);
        if (target > log.LogStartOffset)
        {
            _logger.Info("[Partition {0}] Moving the log start offset {1} → {2} (records deleted before, as the journal shows)", Name, log.LogStartOffset, target);
            log.DeleteRecordsBefore(target);
        }
    }

    /// <summary>
    /// KIP-320 for consumers (Kafka's <c>LeaderEpochFileCache.endOffsetFor</c>): the largest epoch ≤ the requested one in
    /// this leader's history and the offset where it ended (the log end for the current epoch); (-1, -1) for an epoch
    /// newer than every known one; (requested, first epoch's start) for one older than all.
    /// </summary>
    private void HandleOffsetForLeaderEpoch(PartitionOffsetForLeaderEpoch request)
    {
        if (CheckLeaderEpoch(request.HasCurrentLeaderEpoch, request.CurrentLeaderEpoch) is { } fenced)
        {
            Sender.Tell(new PartitionOffsetForLeaderEpochResult { ErrorCode = (int)fenced.Code, ErrorMessage = fenced.Message, LeaderEpoch = -1, EndOffset = -1 });
            return;
        }

        var latest = _epochs.Count > 0 ? _epochs[^1].LeaderEpoch : -1;
        PartitionOffsetForLeaderEpochResult result;
        if (request.LeaderEpoch < 0 || request.LeaderEpoch > latest)
        {
            result = new PartitionOffsetForLeaderEpochResult { LeaderEpoch = -1, EndOffset = -1 };
        }
        else if (_epochs[0].LeaderEpoch > request.LeaderEpoch)
        {
            result = new PartitionOffsetForLeaderEpochResult { LeaderEpoch = request.LeaderEpoch, EndOffset = _epochs[0].StartOffset };
        }
        else
        {
            var (epoch, endOffset) = EndOffsetForEpoch(request.LeaderEpoch);
            result = new PartitionOffsetForLeaderEpochResult { LeaderEpoch = epoch, EndOffset = endOffset };
        }

        Sender.Tell(result);
    }
}
