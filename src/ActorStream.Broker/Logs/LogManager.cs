using Akka.Actor;
using Akka.Event;
using ActorStream.Protocol.Broker;
using ActorStream.Storage.Errors;
using ActorStream.Storage.Log;

namespace ActorStream.Broker.Logs;

/// <summary>
/// The node-local owner of every partition log stored on this node (<c>/user/log-manager</c>). It opens a log once
/// and hands it to exactly one writer at a time: the partition actor while this node leads the partition, the node's
/// replica fetcher while it follows. The leader has priority: its <see cref="OpenLog"/> makes the fetcher release the
/// log first (after its last append), and a fetcher asking while a leader writes gets <see cref="LogBusy"/>;
/// it runs retention and time-based flushes for all logs on a timer, and closes every log cleanly when the node
/// stops. Logs live in <c>&lt;data&gt;/logs/&lt;topic&gt;-&lt;partition&gt;-&lt;topic id&gt;</c> (<see cref="LogDirectoryName"/>),
/// so a re-created topic never reuses the old topic's files.
/// <para>
/// It also deletes stray logs (Kafka's StopReplica with delete=true): with every metadata snapshot
/// (<see cref="DeleteStrayLogs"/>) it closes and removes each log, open or only on disk, of a topic the snapshot lists
/// as deleted, or of a partition whose replicas no longer include this node (<see cref="StrayLog"/>: the topic was
/// deleted or a reassignment moved the replica away, perhaps while this node was down). A log of a topic id the
/// snapshot neither holds nor lists as deleted is left alone. A log is never deleted under a writer: a leader's is
/// kept until the leader stops (then the latest snapshot is checked again), a follower's is taken back with
/// <see cref="ReleaseLog"/> first.
/// </para>
/// </summary>
public sealed class LogManager : ReceiveActor, IWithTimers
{
    #region messages

    /// <summary>Opens (or returns the already open) log and makes the sender, the leader, its writer.</summary>
    public sealed record OpenLog(string TopicId, string Topic, int Partition, LogConfig Config);

    /// <summary>The same for the node's replica fetcher (a follower copy); refused with <see cref="LogBusy"/> while a leader writes.</summary>
    public sealed record OpenLogAsFollower(string TopicId, string Topic, int Partition, LogConfig Config);

    /// <summary><paramref name="HighWatermark"/>: the last high watermark this node's follower learned (0 if none).</summary>
    public sealed record LogOpened(PartitionLog Log, long HighWatermark);

    public sealed record LogBusy(string TopicId, int Partition);

    /// <summary>To the follower writer: stop writing this log and answer <see cref="LogReleased"/>.</summary>
    public sealed record ReleaseLog(string TopicId, string Topic, int Partition);

    public sealed record LogReleased(string TopicId, string Topic, int Partition, long HighWatermark);

    public sealed record LogOpenFailed(string Reason);

    /// <summary>From a partition actor that opened the log but does not lead after all (its log lost records): no writer now.</summary>
    public sealed record ReturnLog(string TopicId, string Topic, int Partition);

    /// <summary>Closes and removes the log's directory (topic deleted; sent by the partition's leader, the writer).</summary>
    public sealed record DeleteLog(string TopicId, string Topic, int Partition);

    public sealed record LogDeleted(string TopicId, int Partition);

    /// <summary>
    /// Deletes every log on this node that <paramref name="Snapshot"/> shows to be stray (see <see cref="StrayLog"/>); sent by
    /// the replica manager with every snapshot. No reply: a log kept for now is checked again with later snapshots.
    /// </summary>
    public sealed record DeleteStrayLogs(MetadataSnapshot Snapshot);

    /// <summary>Kafka's DescribeLogDirs for this node: answered with <see cref="LogDirDescribed"/>.</summary>
    public sealed class DescribeLogDir
    {
        public static readonly DescribeLogDir Instance = new();
    }

    /// <summary>One partition log on this node (open or only on disk) and its size in bytes.</summary>
    public sealed record LocalReplica(string TopicId, string Topic, int Partition, long Size);

    /// <param name="TotalBytes">Of the file system holding <paramref name="LogDir"/>; -1 when unknown (as <paramref name="UsableBytes"/>).</param>
    public sealed record LogDirDescribed(string LogDir, long TotalBytes, long UsableBytes, IReadOnlyList<LocalReplica> Replicas);

    private sealed class RetentionTick
    {
        public static readonly RetentionTick Instance = new();
    }

    #endregion

    private readonly BrokerSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, LogEntry> _logs = [];
    private readonly Dictionary<string, (IActorRef Leader, OpenLog Request)> _awaitingRelease = [];

    /// <summary>Stray logs a leader on this node still writes (each logged once); checked again when the leader stops.</summary>
    private readonly HashSet<string> _strayLogsKeptForLeader = new(StringComparer.Ordinal);

    /// <summary>The latest snapshot of <see cref="DeleteStrayLogs"/> (null before the first: then nothing is ever stray).</summary>
    private MetadataSnapshot? _metadata;

    private sealed record LogEntry(PartitionLog Log, IActorRef Writer, bool WriterIsFollower, long HighWatermark);

    public LogManager(BrokerSettings settings)
    {
        _settings = settings;
        Receive<OpenLog>(HandleOpen);
        Receive<OpenLogAsFollower>(HandleOpenAsFollower);
        Receive<LogReleased>(HandleReleased);
        Receive<ReturnLog>(HandleReturn);
        Receive<DeleteLog>(HandleDelete);
        Receive<DeleteStrayLogs>(HandleDeleteStrayLogs);
        Receive<RetentionTick>(_ => HandleRetentionTick());
        Receive<DescribeLogDir>(_ => Sender.Tell(Describe()));
        Receive<Terminated>(t => HandleWriterTerminated(t.ActorRef));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(BrokerSettings settings) => Akka.Actor.Props.Create(() => new LogManager(settings));

    public static string DirectoryName(string topic, int partition, string topicId) => new LogDirectoryName(topic, partition, topicId).ToString();

    protected override void PreStart()
    {
        Directory.CreateDirectory(_settings.LogsDir);
        Timers.StartPeriodicTimer("retention", RetentionTick.Instance, _settings.RetentionCheckInterval);
    }

    private void HandleOpen(OpenLog open)
    {
        var key = DirectoryName(open.Topic, open.Partition, open.TopicId);
        if (_logs.TryGetValue(key, out var existing) && existing.WriterIsFollower && !existing.Writer.IsNobody())
        {
            _awaitingRelease[key] = (Sender, open);
            existing.Writer.Tell(new ReleaseLog(open.TopicId, open.Topic, open.Partition));
            return;
        }

        Hand(key, open.Config, Sender, follower: false);
    }

    private void HandleOpenAsFollower(OpenLogAsFollower open)
    {
        var key = DirectoryName(open.Topic, open.Partition, open.TopicId);
        var leaderWrites = _logs.TryGetValue(key, out var existing) && !existing.WriterIsFollower && !existing.Writer.IsNobody();
        if (leaderWrites || _awaitingRelease.ContainsKey(key))
        {
            Sender.Tell(new LogBusy(open.TopicId, open.Partition));
            return;
        }

        Hand(key, open.Config, Sender, follower: true);
    }

    private void HandleReleased(LogReleased released)
    {
        var key = DirectoryName(released.Topic, released.Partition, released.TopicId);
        if (_logs.TryGetValue(key, out var entry) && entry.Writer.Equals(Sender) && entry.WriterIsFollower)
        {
            _logs[key] = entry with { Writer = ActorRefs.Nobody, WriterIsFollower = false, HighWatermark = released.HighWatermark };
            GiveToAwaitingLeader(key);
            DeleteIfStray(key);
        }
    }

    private void HandleReturn(ReturnLog returned)
    {
        var key = DirectoryName(returned.Topic, returned.Partition, returned.TopicId);
        if (_logs.TryGetValue(key, out var entry) && entry.Writer.Equals(Sender))
        {
            Context.Unwatch(Sender);
            _logs[key] = entry with { Writer = ActorRefs.Nobody, WriterIsFollower = false };
            GiveToAwaitingLeader(key);
            DeleteIfStray(key);
        }
    }

    private void GiveToAwaitingLeader(string key)
    {
        if (_awaitingRelease.Remove(key, out var waiting))
        {
            Hand(key, waiting.Request.Config, waiting.Leader, follower: false);
        }
    }

    private void Hand(string key, LogConfig config, IActorRef writer, bool follower)
    {
        if (_logs.TryGetValue(key, out var existing))
        {
            existing.Log.UpdateConfig(config);
            _logs[key] = existing with { Writer = writer, WriterIsFollower = follower };
            Context.Watch(writer);
            writer.Tell(new LogOpened(existing.Log, existing.HighWatermark));
            return;
        }

        try
        {
            var log = PartitionLog.Open(Path.Combine(_settings.LogsDir, key), config);
            if (!log.OpenedCleanly)
            {
                _log.Info("[LogManager] Recovered log {0}: log end offset {1}, {2} bytes of torn tail removed", key, log.LogEndOffset, log.RecoveredTruncatedBytes);
            }

            _logs[key] = new LogEntry(log, writer, follower, 0);
            Context.Watch(writer);
            writer.Tell(new LogOpened(log, 0));
        }
        catch (StorageException e)
        {
            _log.Error(e, "[LogManager] Cannot open log {0}", key);
            writer.Tell(new LogOpenFailed(e.Message));
        }
    }

    private void HandleDelete(DeleteLog delete)
    {
        var key = DirectoryName(delete.Topic, delete.Partition, delete.TopicId);
        _strayLogsKeptForLeader.Remove(key);
        CloseAndDelete(key);
        Sender.Tell(new LogDeleted(delete.TopicId, delete.Partition));
    }

    private void HandleDeleteStrayLogs(DeleteStrayLogs delete)
    {
        if (_metadata is not null && delete.Snapshot.Version < _metadata.Version)
        {
            return;
        }

        _metadata = delete.Snapshot;
        var strays = StrayLog.In(_metadata, _settings.NodeId, LocalLogs()).ToList();
        _strayLogsKeptForLeader.IntersectWith(strays.Select(s => s.Log.ToString()));
        foreach (var stray in strays)
        {
            DeleteWhenUnused(stray);
        }
    }

    /// <summary>After a writer let go of <paramref name="key"/>: deletes it if the latest snapshot shows it stray.</summary>
    private void DeleteIfStray(string key)
    {
        if (_metadata is not null && LogDirectoryName.TryParse(key, out var name))
        {
            foreach (var stray in StrayLog.In(_metadata, _settings.NodeId, [name]))
            {
                DeleteWhenUnused(stray);
            }
        }
    }

    /// <summary>The logs on this node: the open ones and every partition directory on disk (a log not opened since startup).</summary>
    private IEnumerable<LogDirectoryName> LocalLogs()
    {
        var names = new HashSet<string>(_logs.Keys, StringComparer.Ordinal);
        try
        {
            names.UnionWith(Directory.EnumerateDirectories(_settings.LogsDir).Select(d => Path.GetFileName(d)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error(e, "[LogManager] Cannot list {0}; looking for stray logs among the open logs only", _settings.LogsDir);
        }

        foreach (var name in names)
        {
            if (LogDirectoryName.TryParse(name, out var parsed))
            {
                yield return parsed;
            }
        }
    }

    private void DeleteWhenUnused(StrayLog stray)
    {
        var key = stray.Log.ToString();
        var entry = _logs.GetValueOrDefault(key);
        var writer = entry?.Writer ?? ActorRefs.Nobody;
        if ((entry is { WriterIsFollower: false } && !writer.IsNobody()) || _awaitingRelease.ContainsKey(key))
        {
            if (_strayLogsKeptForLeader.Add(key))
            {
                _log.Info("[LogManager] Keeping stray log {0} while a leader on this node writes it ({1}); deleting it once the leader stops", key, stray.Reason(_settings.NodeId));
            }

            return;
        }

        if (entry is { WriterIsFollower: true } && !writer.IsNobody())
        {
            // The replica fetcher writes it: take it back first (LogReleased or the fetcher stopping brings it back here).
            writer.Tell(new ReleaseLog(stray.Log.TopicId, stray.Log.Topic, stray.Log.Partition));
            return;
        }

        _strayLogsKeptForLeader.Remove(key);
        if (CloseAndDelete(key))
        {
            _log.Info("[LogManager] Deleted stray log {0}: {1}", key, stray.Reason(_settings.NodeId));
        }
    }

    /// <summary>Closes the log if open and removes its directory; false if the directory could not be removed.</summary>
    private bool CloseAndDelete(string key)
    {
        if (_logs.Remove(key, out var entry))
        {
            entry.Log.Dispose();
        }

        var dir = Path.Combine(_settings.LogsDir, key);
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error(e, "[LogManager] Cannot delete {0}", dir);
            return false;
        }
    }

    private void HandleWriterTerminated(IActorRef writer)
    {
        // The writer stopped (hand-over or shutdown): the log stays open here for the next writer on this node.
        foreach (var (key, entry) in _logs.Where(e => e.Value.Writer.Equals(writer)).ToList())
        {
            _logs[key] = entry with { Writer = ActorRefs.Nobody, WriterIsFollower = false };
            GiveToAwaitingLeader(key);
            DeleteIfStray(key);
        }
    }

    private LogDirDescribed Describe()
    {
        var replicas = new List<LocalReplica>();
        foreach (var name in LocalLogs())
        {
            var key = name.ToString();
            long size;
            try
            {
                size = _logs.TryGetValue(key, out var entry) ? entry.Log.Size : DirectorySize(Path.Combine(_settings.LogsDir, key));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                size = -1;
            }

            replicas.Add(new LocalReplica(name.TopicId, name.Topic, name.Partition, size));
        }

        long total = -1, usable = -1;
        try
        {
            var drive = new DriveInfo(_settings.LogsDir);
            total = drive.TotalSize;
            usable = drive.AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _log.Warning("[LogManager] Cannot read the size of the file system of {0}: {1}", _settings.LogsDir, e.Message);
        }

        return new LogDirDescribed(_settings.LogsDir, total, usable, replicas);
    }

    /// <summary>Bytes of the segment files of a log that is not open (as <see cref="PartitionLog.Size"/> counts them).</summary>
    private static long DirectorySize(string dir) =>
        Directory.Exists(dir) ? new DirectoryInfo(dir).EnumerateFiles().Where(f => f.Name.EndsWith(LogFileUtils.LogSuffix, StringComparison.Ordinal)).Sum(f => f.Length) : 0;

    private void HandleRetentionTick()
    {
        foreach (var (key, entry) in _logs)
        {
            try
            {
                var deleted = entry.Log.EnforceRetention();
                entry.Log.FlushIfDue();
                if (deleted > 0)
                {
                    _log.Info("[LogManager] Retention deleted {0} segments of {1}; log start offset now {2}", deleted, key, entry.Log.LogStartOffset);
                }
            }
            catch (StorageException e)
            {
                _log.Error(e, "[LogManager] Retention failed for {0}", key);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    protected override void PostStop()
    {
        foreach (var (_, entry) in _logs)
        {
            entry.Log.Dispose();
        }

        _logs.Clear();
    }
}
