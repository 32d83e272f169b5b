using Akka.Actor;
using Akka.Event;
using ActorStream.Broker.Logs;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.Storage.Errors;
using ActorStream.Storage.Log;
using ActorStream.Storage.Records;

namespace ActorStream.Broker.Replication;

/// <summary>
/// Pulls every partition this node follows from one leader node, in one fetch stream (Kafka's ReplicaFetcherThread):
/// a <see cref="FetchRequest"/> with this node's replica id goes to the leader's endpoint, which parks it until one of
/// the partitions has new records. Each reply is appended to the local copy as is (offsets and epochs are the
/// leader's; every batch's CRC is checked, so corruption is never copied), and the next fetch reports the new log end
/// offset, which is how the leader learns what the follower has.
/// <para>
/// A fetch carries the epoch of the follower's last batch; when the leader's history diverges from it (a tail written
/// by a deposed leader), the reply names the epoch's end offset and the follower truncates there first (KIP-320).
/// The log is this actor's only while the node follows: a local leader's <see cref="LogManager.ReleaseLog"/> takes it back.
/// </para>
/// </summary>
public sealed class ReplicaFetcher : ReceiveActor, IWithTimers
{
    /// <summary>The full set of partitions to follow from this leader (<paramref name="LeaderEndpoint"/> null: none, stop).</summary>
    public sealed record Follow(string? LeaderEndpoint, IReadOnlyList<FollowedPartition> Partitions);

    /// <summary>Asks for <see cref="FollowerPositions"/> (DescribeLogDirs' offset lag).</summary>
    public sealed class GetPositions
    {
        public static readonly GetPositions Instance = new();
    }

    /// <summary>A followed partition's log end offset here and the leader's high watermark it last learned.</summary>
    public sealed record FollowerPosition(string TopicId, int Partition, long LogEndOffset, long HighWatermark);

    public sealed record Positions(IReadOnlyList<FollowerPosition> Replicas);

    private sealed record Fetched(long Round, FetchResponse Response);

    private sealed record FetchFailed(long Round, string Reason);

    private sealed class FetchTick
    {
        public static readonly FetchTick Instance = new();
    }

    private sealed record RetryOpen((string TopicId, int Partition) Key);

    private sealed class Replica(FollowedPartition info)
    {
        public FollowedPartition Info { get; set; } = info;

        public PartitionLog? Log { get; set; }

        public int? LastEpoch { get; set; }

        public long HighWatermark { get; set; }

        public long BackoffUntilMs { get; set; }
    }

    private readonly BrokerSettings _settings;
    private readonly IActorRef _logManager;
    private readonly int _leaderId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<(string TopicId, int Partition), Replica> _replicas = [];
    private readonly Dictionary<string, FollowedPartition> _requestedLogs = new(StringComparer.Ordinal);
    private ActorSelection? _leader;
    private string? _leaderPath;
    private bool _inFlight;
    private long _round;

    public ReplicaFetcher(BrokerSettings settings, IActorRef logManager, int leaderId)
    {
        _settings = settings;
        _logManager = logManager;
        _leaderId = leaderId;
        Receive<Follow>(HandleFollow);
        Receive<LogManager.LogOpened>(HandleLogOpened);
        Receive<LogManager.LogBusy>(busy => RetryOpenLater((busy.TopicId, busy.Partition)));
        Receive<LogManager.LogOpenFailed>(failed => _log.Error("[Follower of node {0}] Cannot open a log: {1}", _leaderId, failed.Reason));
        Receive<RetryOpen>(retry =>
        {
            if (_replicas.TryGetValue(retry.Key, out var replica) && replica.Log is null)
            {
                RequestLog(replica);
            }
        });
        Receive<LogManager.ReleaseLog>(HandleRelease);
        Receive<Fetched>(HandleFetched);
        Receive<FetchFailed>(failed =>
        {
            if (failed.Round == _round)
            {
                _inFlight = false;
                _log.Warning("[Follower of node {0}] Fetch failed: {1}", _leaderId, failed.Reason);
                Timers.StartSingleTimer("fetch", FetchTick.Instance, _settings.ReplicaFetchBackoff);
            }
        });
        Receive<FetchTick>(_ => MaybeFetch());
        Receive<GetPositions>(_ => Sender.Tell(new Positions(_replicas.Values
            .Where(r => r.Log is not null)
            .Select(r => new FollowerPosition(r.Info.TopicId, r.Info.Partition, r.Log!.LogEndOffset, r.HighWatermark))
            .ToList())));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(BrokerSettings settings, IActorRef logManager, int leaderId) =>
        Akka.Actor.Props.Create(() => new ReplicaFetcher(settings, logManager, leaderId));

    private static long NowMs => Environment.TickCount64;

    private void HandleFollow(Follow follow)
    {
        var wanted = follow.Partitions.ToDictionary(p => p.Key);
        foreach (var (key, replica) in _replicas.Where(r => !wanted.ContainsKey(r.Key)).ToList())
        {
            Release(key, replica);
        }

        if (follow.LeaderEndpoint is null)
        {
            Context.Stop(Self);
            return;
        }

        if (follow.LeaderEndpoint != _leaderPath)
        {
            _leaderPath = follow.LeaderEndpoint;
            _leader = Context.ActorSelection(follow.LeaderEndpoint);
        }

        foreach (var (key, info) in wanted)
        {
            if (_replicas.TryGetValue(key, out var replica))
            {
                if (replica.Info.LeaderEpoch != info.LeaderEpoch)
                {
                    replica.BackoffUntilMs = 0;
                }

                if (replica.Log is { } log && !SameConfigs(replica.Info.Configs, info.Configs))
                {
                    // AlterConfigs: retention and segment settings apply to this copy too (the log manager enforces them).
                    log.UpdateConfig(Partition.TopicConfigs.ToLogConfig(_settings.LogDefaults, info.Configs));
                }

                replica.Info = info;
                continue;
            }

            replica = new Replica(info);
            _replicas[key] = replica;
            RequestLog(replica);
        }

        MaybeFetch();
    }

    private static bool SameConfigs(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(c => b.TryGetValue(c.Key, out var v) && v == c.Value);

    private void RequestLog(Replica replica)
    {
        var info = replica.Info;
        var config = Partition.TopicConfigs.ToLogConfig(_settings.LogDefaults, info.Configs);
        _requestedLogs[LogManager.DirectoryName(info.Topic, info.Partition, info.TopicId)] = info;
        _logManager.Tell(new LogManager.OpenLogAsFollower(info.TopicId, info.Topic, info.Partition, config));
        Timers.StartSingleTimer(("open", info.Key), new RetryOpen(info.Key), TimeSpan.FromSeconds(5));
    }

    private void RetryOpenLater((string TopicId, int Partition) key) =>
        Timers.StartSingleTimer(("open", key), new RetryOpen(key), _settings.ReplicaFetchBackoff);

    private void HandleLogOpened(LogManager.LogOpened opened)
    {
        if (!_requestedLogs.Remove(Path.GetFileName(opened.Log.Directory), out var info))
        {
            return;
        }

        if (!_replicas.TryGetValue(info.Key, out var replica))
        {
            // Not followed any more: give it straight back.
            _logManager.Tell(new LogManager.LogReleased(info.TopicId, info.Topic, info.Partition, opened.HighWatermark));
            return;
        }

        Timers.Cancel(("open", info.Key));
        replica.Log = opened.Log;
        replica.HighWatermark = Math.Min(opened.HighWatermark, opened.Log.LogEndOffset);
        replica.LastEpoch = LastBatchEpoch(opened.Log);
        _log.Info("[Follower of node {0}] Following {1}-{2} from offset {3}", _leaderId, info.Topic, info.Partition, opened.Log.LogEndOffset);
        MaybeFetch();
    }

    private void HandleRelease(LogManager.ReleaseLog release)
    {
        var key = (release.TopicId, release.Partition);
        var highWatermark = _replicas.TryGetValue(key, out var replica) ? replica.HighWatermark : 0;
        _replicas.Remove(key);
        Timers.Cancel(("open", key));
        Sender.Tell(new LogManager.LogReleased(release.TopicId, release.Topic, release.Partition, highWatermark));
    }

    private void Release((string TopicId, int Partition) key, Replica replica)
    {
        _replicas.Remove(key);
        Timers.Cancel(("open", key));
        if (replica.Log is not null)
        {
            _logManager.Tell(new LogManager.LogReleased(replica.Info.TopicId, replica.Info.Topic, replica.Info.Partition, replica.HighWatermark));
        }
    }

    private void MaybeFetch()
    {
        if (_inFlight || _leader is null)
        {
            return;
        }

        var now = NowMs;
        var request = new FetchRequest
        {
            ReplicaId = _settings.NodeId,
            MaxWaitMs = (int)_settings.ReplicaFetchWaitMax.TotalMilliseconds,
            MinBytes = 1,
            MaxBytes = _settings.ReplicaFetchMaxBytes,
        };
        foreach (var replica in _replicas.Values.Where(r => r.Log is not null && r.BackoffUntilMs <= now))
        {
            var partition = new FetchPartition
            {
                Topic = replica.Info.Topic,
                Partition = replica.Info.Partition,
                FetchOffset = replica.Log!.LogEndOffset,
                CurrentLeaderEpoch = replica.Info.LeaderEpoch,
            };
            if (replica.LastEpoch is { } epoch)
            {
                partition.LastFetchedEpoch = epoch;
            }

            request.Partitions.Add(partition);
        }

        if (request.Partitions.Count == 0)
        {
            if (_replicas.Count > 0)
            {
                Timers.StartSingleTimer("fetch", FetchTick.Instance, _settings.ReplicaFetchBackoff);
            }

            return;
        }

        _inFlight = true;
        var round = ++_round;
        _leader.Ask<FetchResponse>(request, _settings.ReplicaFetchWaitMax + _settings.RequestTimeout)
            .PipeTo(Self, success: r => new Fetched(round, r), failure: e => new FetchFailed(round, e.Message));
    }

    private void HandleFetched(Fetched fetched)
    {
        if (fetched.Round != _round)
        {
            return;
        }

        _inFlight = false;
        var byName = _replicas.Values.ToDictionary(r => (r.Info.Topic, r.Info.Partition));
        foreach (var result in fetched.Response.Partitions)
        {
            if (byName.TryGetValue((result.Topic, result.Partition), out var replica) && replica.Log is { } log)
            {
                Apply(replica, log, result);
            }
        }

        MaybeFetch();
    }

    private void Apply(Replica replica, PartitionLog log, FetchPartitionResponse result)
    {
        var name = $"{replica.Info.Topic}-{replica.Info.Partition}";
        var fetchOffset = log.LogEndOffset;
        try
        {
            switch ((ErrorCode)result.ErrorCode)
            {
                case ErrorCode.None when result.HasDivergingEpoch:
                    var target = Math.Min(result.DivergingEndOffset, log.LogEndOffset);
                    _log.Warning("[Follower of node {0}] {1}: the log diverges from the leader's after epoch {2}: truncating {3} → {4}", _leaderId, name, result.DivergingEpoch, log.LogEndOffset, target);
                    log.TruncateTo(Math.Max(target, log.LogStartOffset));
                    replica.LastEpoch = LastBatchEpoch(log);
                    break;
                case ErrorCode.None:
                    AppendNew(replica, log, result.Records.Span);
                    FollowLogStartOffset(replica, log, result.LogStartOffset);
                    break;
                case ErrorCode.OffsetOutOfRange when log.LogEndOffset < result.LogStartOffset:
                    _log.Info("[Follower of node {0}] {1}: the leader's log starts at {2}, past this copy's end {3}: starting over there", _leaderId, name, result.LogStartOffset, log.LogEndOffset);
                    log.TruncateFullyAndStartAt(result.LogStartOffset);
                    replica.LastEpoch = null;
                    break;
                default:
                    replica.BackoffUntilMs = NowMs + (long)_settings.ReplicaFetchBackoff.TotalMilliseconds;
                    if ((ErrorCode)result.ErrorCode is not (ErrorCode.NotLeaderOrFollower or ErrorCode.UnknownTopicOrPartition or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch))
                    {
                        _log.Warning("[Follower of node {0}] {1}: fetch error {2}: {3}", _leaderId, name, (ErrorCode)result.ErrorCode, result.ErrorMessage);
                    }

                    return;
            }
        }
        catch (StorageException e)
        {
            // A corrupt batch from the leader (or a failing disk here): nothing of this partition's response was
            // appended (AppendAsFollower checks every batch first). Only this partition backs off; the next fetch
            // asks again from the same offset, so damage on the way heals when the leader sends good bytes.
            _log.Error(e, "[Follower of node {0}] {1}: refused the leader's records from offset {2} ({3}), none stored; fetching them again in {4} ms",
                _leaderId, name, fetchOffset, e.ErrorCode, (long)_settings.ReplicaFetchBackoff.TotalMilliseconds);
            replica.BackoffUntilMs = NowMs + (long)_settings.ReplicaFetchBackoff.TotalMilliseconds;
            return;
        }

        replica.HighWatermark = Math.Min(result.HighWatermark, log.LogEndOffset);
    }

    /// <summary>
    /// The leader's log start offset moved (DeleteRecords, or its retention): this copy drops the same records, as Kafka's
    /// followers do, so a later leader on this node does not serve records the old one had deleted.
    /// </summary>
    private void FollowLogStartOffset(Replica replica, PartitionLog log, long leaderLogStartOffset)
    {
        var target = Math.Min(leaderLogStartOffset, log.LogEndOffset);
        if (target > log.LogStartOffset)
        {
            log.DeleteRecordsBefore(target);
            _log.Info("[Follower of node {0}] {1}-{2}: log start offset moved to {3} as the leader's", _leaderId, replica.Info.Topic, replica.Info.Partition, target);
        }
    }

    private static void AppendNew(Replica replica, PartitionLog log, ReadOnlySpan<byte> records)
    {
        // The first batch may start before the fetch offset; only what continues the log is appended. The batches
        // skipped are checked too: a damaged length there (outside the CRC) would otherwise send the walk past the
        // response or nowhere, and a response with any bad batch is refused whole (CorruptRecordException). What is
        // appended is checked once, by AppendAsFollower.
        var position = 0;
        while (records.Length - position >= RecordBatch.HeaderSize
            && RecordBatchHeader.Read(records[position..]).NextOffset <= log.LogEndOffset)
        {
            position += RecordBatch.Validate(records[position..]).SizeInBytes;
        }

        var fresh = records[position..];
        if (fresh.IsEmpty)
        {
            return;
        }

        var first = RecordBatchHeader.Read(fresh);
        if (first.BaseOffset < log.LogEndOffset && log.LogStartOffset == log.LogEndOffset)
        {
            // An empty copy started at the leader's log start offset, which DeleteRecords put inside a batch: the copy starts
            // at the batch instead (as Kafka's follower does on UnexpectedAppendOffset), then follows the leader's log start.
            log.TruncateFullyAndStartAt(first.BaseOffset);
        }

        log.AppendAsFollower(fresh);
        replica.LastEpoch = LastEpochIn(fresh);
    }

    private static int? LastEpochIn(ReadOnlySpan<byte> batches)
    {
        int? epoch = null;
        for (var position = 0; batches.Length - position >= RecordBatch.HeaderSize;)
        {
            var header = RecordBatchHeader.Read(batches[position..]);
            epoch = header.PartitionLeaderEpoch;
            position += header.SizeInBytes;
        }

        return epoch;
    }

    /// <summary>The leader epoch of the log's last batch (what the follower tells the leader it last fetched).</summary>
    private static int? LastBatchEpoch(PartitionLog log)
    {
        if (log.LogEndOffset <= log.LogStartOffset)
        {
            return null;
        }

        var bytes = log.Read(log.LogEndOffset - 1, 1).Records.ToArray();
        return LastEpochIn(bytes);
    }
}
