using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;

namespace ActorStream.Broker.Partition;

/// <summary>
/// The leader's side of replication (Kafka's Partition/ReplicaManager): followers pull with replica fetches, which
/// report their log end offsets; the high watermark is the smallest log end offset in the ISR; followers that stop
/// catching up for <c>replica.lag.time.max.ms</c> leave the ISR and caught-up ones rejoin it. The ISR is the
/// controller's: every change is asked for (<see cref="AlterIsr"/>, with the leader epoch and partition epoch) and
/// used only once the controller has persisted it. A leader that learns of a newer leader epoch steps down.
/// </summary>
public sealed partial class PartitionEntity
{
    private sealed class IsrCheckTick
    {
        public static readonly IsrCheckTick Instance = new();
    }

    private sealed record AlterIsrFailed(string Reason);

    /// <summary>What the leader knows of one follower, from its fetches.</summary>
    private sealed class FollowerState
    {
        public long LogEndOffset { get; set; } = -1;

        public long LastCaughtUpMs { get; set; }

        public long LastFetchMs { get; set; }

        public long LeaderEndAtLastFetch { get; set; } = -1;
    }

    private readonly Dictionary<int, FollowerState> _followers = [];
    private List<int> _isr = [];
    private int _partitionEpoch;
    private int _minInsync = 1;
    private bool _alterIsrInFlight;

    private static long MonotonicMs => Environment.TickCount64;

    private void InitReplication(PartitionAssignment assignment)
    {
        // Every follower gets a grace period of one lag time before it can be dropped from the ISR.
        _followers.Clear();
        UpdateReplicaSet(assignment.Replicas);
        _isr = [.. assignment.Isr];
        _partitionEpoch = assignment.PartitionEpoch;
        _minInsync = TopicConfigs.MinInsync(_topic!.Configs, _settings.MinInsyncReplicas);
    }

    private void HandleReplicaFetch(PartitionFetch fetch)
    {
        var log = _log!;
        if (!_followers.TryGetValue(fetch.ReplicaId, out var follower))
        {
            Sender.Tell(FetchError(ErrorCode.NotLeaderOrFollower, $"Node {fetch.ReplicaId} holds no replica of {Name}"));
            return;
        }

        if (fetch.HasCurrentLeaderEpoch && fetch.CurrentLeaderEpoch != _leaderEpoch)
        {
            if (fetch.CurrentLeaderEpoch > _leaderEpoch)
            {
                Sender.Tell(FetchError(ErrorCode.UnknownLeaderEpoch, $"Leader epoch {fetch.CurrentLeaderEpoch} is newer than this leader's {_leaderEpoch}"));
                StepDown($"node {fetch.ReplicaId} follows a newer leader epoch {fetch.CurrentLeaderEpoch}");
                return;
            }

            Sender.Tell(FetchError(ErrorCode.FencedLeaderEpoch, $"Leader epoch {fetch.CurrentLeaderEpoch} is older than the current {_leaderEpoch}"));
            return;
        }

        if (fetch.HasLastFetchedEpoch && fetch.FetchOffset > log.LogStartOffset)
        {
            var (epoch, endOffset) = EndOffsetForEpoch(fetch.LastFetchedEpoch);
            if (epoch != fetch.LastFetchedEpoch || fetch.FetchOffset > endOffset)
            {
                // KIP-320: the follower's tail was written in an epoch this log does not continue: truncate first.
                Sender.Tell(new PartitionFetchResult
                {
                    HighWatermark = _highWatermark,
                    LogStartOffset = log.LogStartOffset,
                    DivergingEpoch = epoch,
                    DivergingEndOffset = endOffset,
                });
                return;
            }
        }

        if (fetch.FetchOffset < log.LogStartOffset || fetch.FetchOffset > log.LogEndOffset)
        {
            Sender.Tell(new PartitionFetchResult
            {
                ErrorCode = (int)ErrorCode.OffsetOutOfRange,
                ErrorMessage = $"Follower offset {fetch.FetchOffset} is out of range [{log.LogStartOffset}, {log.LogEndOffset}] of {Name}",
                HighWatermark = _highWatermark,
                LogStartOffset = log.LogStartOffset,
            });
            return;
        }

        UpdateFollower(fetch.ReplicaId, follower, fetch.FetchOffset);
        if (fetch.FetchOffset < log.LogEndOffset || fetch.MaxWaitMs <= 0)
        {
            Sender.Tell(ReadForFetch(fetch));
            return;
        }

        Park(fetch);
    }

    private PartitionFetchResult FetchError(ErrorCode code, string message) => new()
    {
        ErrorCode = (int)code,
        ErrorMessage = message,
        HighWatermark = _highWatermark,
        LogStartOffset = _log?.LogStartOffset ?? -1,
    };

    /// <summary>
    /// The largest epoch of this log's history that is ≤ <paramref name="epoch"/>, and the offset where it ended (the
    /// next epoch's start, or the log end for the current one). (-1, log start) when the history has no such epoch.
    /// </summary>
    private (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch)
    {
        var index = _epochs.FindLastIndex(e => e.LeaderEpoch <= epoch);
        if (index < 0)
        {
            return (-1, _epochs.Count > 0 ? _epochs[0].StartOffset : _log!.LogStartOffset);
        }

        var found = _epochs[index].LeaderEpoch;
        var next = _epochs.FindIndex(index, e => e.LeaderEpoch > found);
        return (found, next < 0 ? _log!.LogEndOffset : Math.Min(_epochs[next].StartOffset, _log!.LogEndOffset));
    }

    private void UpdateFollower(int nodeId, FollowerState follower, long fetchOffset)
    {
        var now = MonotonicMs;
        var leaderEnd = _log!.LogEndOffset;
        if (fetchOffset >= leaderEnd)
        {
            follower.LastCaughtUpMs = now;
        }
        else if (fetchOffset >= follower.LeaderEndAtLastFetch)
        {
            // It has everything the leader had at its previous fetch: it was caught up then.
            follower.LastCaughtUpMs = Math.Max(follower.LastCaughtUpMs, follower.LastFetchMs);
        }

        follower.LeaderEndAtLastFetch = leaderEnd;
        follower.LastFetchMs = now;
        follower.LogEndOffset = fetchOffset;

        if (_isr.Contains(nodeId) && fetchOffset < _highWatermark)
        {
            // Every in-sync replica's log reached the high watermark: this one lost committed records (an emptied data
            // dir, a restart the cluster did not notice). It must neither hold the high watermark nor be elected.
            _logger.Warning("[Partition {0}] In-sync replica {1} fetches from offset {2}, below the high watermark {3}: its log lost committed records; taking it out of the ISR", Name, nodeId, fetchOffset, _highWatermark);
            RequestIsr(_isr.Where(n => n != nodeId).ToList(), $"node {nodeId} lost committed records [{fetchOffset}, {_highWatermark})");
        }
        else if (!_isr.Contains(nodeId) && fetchOffset >= _highWatermark && fetchOffset >= CurrentEpochStartOffset)
        {
            RequestIsr([.. _isr, nodeId], $"node {nodeId} caught up at {fetchOffset}");
        }

        AdvanceHighWatermark();
    }

    private long CurrentEpochStartOffset => _epochs.Count > 0 ? _epochs[^1].StartOffset : 0;

    /// <summary>The smallest log end offset in the ISR (the leader's own included); unknown followers hold it back.</summary>
    private long IsrLogEndOffset()
    {
        var end = _log!.LogEndOffset;
        foreach (var nodeId in _isr)
        {
            if (nodeId != _settings.NodeId)
            {
                end = Math.Min(end, _followers.TryGetValue(nodeId, out var f) ? f.LogEndOffset : -1);
            }
        }

        return end;
    }

    private void HandleIsrCheck()
    {
        var now = MonotonicMs;
        var lagging = _isr.Where(n => n != _settings.NodeId && _followers.TryGetValue(n, out var f)
            && now - f.LastCaughtUpMs > _settings.ReplicaLagTimeMax.TotalMilliseconds).ToList();
        if (lagging.Count > 0)
        {
            RequestIsr(_isr.Except(lagging).ToList(), $"nodes {string.Join(',', lagging)} did not catch up within {_settings.ReplicaLagTimeMax}");
        }
    }

    private void RequestIsr(List<int> newIsr, string reason)
    {
        if (_alterIsrInFlight)
        {
            return;
        }

        _alterIsrInFlight = true;
        _logger.Info("[Partition {0}] Asking the controller for ISR [{1}]: {2}", Name, string.Join(',', newIsr), reason);
        var request = new AlterIsr
        {
            TopicId = _id.TopicId,
            Partition = _id.Partition,
            LeaderId = _settings.NodeId,
            LeaderEpoch = _leaderEpoch,
            PartitionEpoch = _partitionEpoch,
        };
        request.NewIsr.AddRange(newIsr);
        _controller.Ask<AlterIsrResult>(request, _settings.RequestTimeout)
            .PipeTo(Self, failure: e => new AlterIsrFailed(e.Message));
    }

    private void HandleAlterIsrResult(AlterIsrResult result)
    {
        _alterIsrInFlight = false;
        switch ((ErrorCode)result.ErrorCode)
        {
            case ErrorCode.None:
            case ErrorCode.InvalidUpdateVersion:
                ApplyPartitionState(result.Partition);
                return;
            case ErrorCode.FencedLeaderEpoch:
                StepDown(result.ErrorMessage);
                return;
            default:
                _logger.Warning("[Partition {0}] The controller refused the ISR change: {1}", Name, result.ErrorMessage);
                return;
        }
    }

    /// <summary>Adopts the controller's state of the partition: a newer ISR, or a newer leader (then this one steps down).</summary>
    private void ApplyPartitionState(PartitionAssignment? state)
    {
        if (state is null)
        {
            return;
        }

        if (state.LeaderEpoch > _leaderEpoch || (state.LeaderEpoch == _leaderEpoch && state.LeaderId != _settings.NodeId))
        {
            StepDown($"the controller has leader {state.LeaderId} with epoch {state.LeaderEpoch}");
            return;
        }

        if (state.PartitionEpoch <= _partitionEpoch)
        {
            return;
        }

        _isr = [.. state.Isr];
        _partitionEpoch = state.PartitionEpoch;
        UpdateReplicaSet(state.Replicas);
        _logger.Info("[Partition {0}] ISR is now [{1}] (partition epoch {2})", Name, string.Join(',', _isr), _partitionEpoch);
        AdvanceHighWatermark();
    }

    /// <summary>A reassignment changed the replicas: new followers are tracked (with a grace period), removed ones forgotten.</summary>
    private void UpdateReplicaSet(IEnumerable<int> replicas)
    {
        var wanted = replicas.Where(r => r != _settings.NodeId).ToHashSet();
        foreach (var gone in _followers.Keys.Where(r => !wanted.Contains(r)).ToList())
        {
            _followers.Remove(gone);
        }

        foreach (var added in wanted.Where(r => !_followers.ContainsKey(r)))
        {
            _followers[added] = new FollowerState { LastCaughtUpMs = MonotonicMs };
        }

        if (_followers.Count > 0)
        {
            var half = TimeSpan.FromMilliseconds(Math.Max(100, _settings.ReplicaLagTimeMax.TotalMilliseconds / 2));
            Timers.StartPeriodicTimer("isr-check", IsrCheckTick.Instance, half);
        }
    }

    /// <summary>A newer leader exists: fail what waits on this one and stop; the node's follower takes over the log.</summary>
    private void StepDown(string reason)
    {
        _logger.Warning("[Partition {0}] Stepping down as leader of epoch {1}: {2}", Name, _leaderEpoch, reason);
        foreach (var pending in _pendingAcks)
        {
            pending.ReplyTo.Tell(Error(ErrorCode.NotLeaderOrFollower, $"The leader of {Name} was deposed: {reason}"));
        }

        _pendingAcks.Clear();
        foreach (var parked in _parkedFetches.Values)
        {
            parked.ReplyTo.Tell(FetchError(ErrorCode.NotLeaderOrFollower, "The leader was deposed"));
        }

        _parkedFetches.Clear();
        Timers.CancelAll();
        Become(() =>
        {
            Command<PartitionAppend>(_ => Sender.Tell(Error(ErrorCode.NotLeaderOrFollower, $"This node no longer leads {Name}")));
            Command<PartitionFetch>(_ => Sender.Tell(FetchError(ErrorCode.NotLeaderOrFollower, $"This node no longer leads {Name}")));
            Command<PartitionListOffset>(_ => Sender.Tell(new PartitionListOffsetResult { ErrorCode = (int)ErrorCode.NotLeaderOrFollower, Offset = -1, Timestamp = -1 }));
            Command<PartitionDeleteRecords>(_ => Sender.Tell(new PartitionDeleteRecordsResult { ErrorCode = (int)ErrorCode.NotLeaderOrFollower, ErrorMessage = $"This node no longer leads {Name}", LowWatermark = -1 }));
            Command<PartitionOffsetForLeaderEpoch>(_ => Sender.Tell(new PartitionOffsetForLeaderEpochResult { ErrorCode = (int)ErrorCode.NotLeaderOrFollower, ErrorMessage = $"This node no longer leads {Name}", LeaderEpoch = -1, EndOffset = -1 }));
            Command<PartitionHandOff>(_ => Context.Stop(Self));
            CommandAny(_ => { });
        });
        Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }
}
