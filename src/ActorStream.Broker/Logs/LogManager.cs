using Akka.Actor;
using Akka.Event;
using ActorStream.Storage.Errors;
using ActorStream.Storage.Log;

namespace ActorStream.Broker.Logs;

/// <summary>
/// The node-local owner of every partition log stored on this node (<c>/user/log-manager</c>). It opens a log once
/// and hands it to exactly one writer at a time (the partition actor while this node leads the partition);
/// it runs retention and time-based flushes for all logs on a timer, and closes every log cleanly when the node
/// stops. Logs live in <c>&lt;data&gt;/logs/&lt;topic&gt;-&lt;partition&gt;-&lt;topic id&gt;</c>, so a re-created topic
/// never reuses the old topic's files.
/// </summary>
public sealed class LogManager : ReceiveActor, IWithTimers
{
    #region messages

    /// <summary>Opens (or returns the already open) log and makes the sender its writer.</summary>
    public sealed record OpenLog(string TopicId, string Topic, int Partition, LogConfig Config);

    public sealed record LogOpened(PartitionLog Log);

    public sealed record LogOpenFailed(string Reason);

    /// <summary>Closes and removes the log's directory (topic deleted).</summary>
    public sealed record DeleteLog(string TopicId, string Topic, int Partition);

    public sealed record LogDeleted(string TopicId, int Partition);

    private sealed class RetentionTick
    {
        public static readonly RetentionTick Instance = new();
    }

    #endregion

    private readonly BrokerSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, (PartitionLog Log, IActorRef Writer)> _logs = [];

    public LogManager(BrokerSettings settings)
    {
        _settings = settings;
        Receive<OpenLog>(HandleOpen);
        Receive<DeleteLog>(HandleDelete);
        Receive<RetentionTick>(_ => HandleRetentionTick());
        Receive<Terminated>(t => HandleWriterTerminated(t.ActorRef));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(BrokerSettings settings) => Akka.Actor.Props.Create(() => new LogManager(settings));

    public static string DirectoryName(string topic, int partition, string topicId) => $"{topic}-{partition}-{topicId}";

    protected override void PreStart()
    {
        Directory.CreateDirectory(_settings.LogsDir);
        Timers.StartPeriodicTimer("retention", RetentionTick.Instance, _settings.RetentionCheckInterval);
    }

    private void HandleOpen(OpenLog open)
    {
        var key = DirectoryName(open.Topic, open.Partition, open.TopicId);
        if (_logs.TryGetValue(key, out var existing))
        {
            existing.Log.UpdateConfig(open.Config);
            _logs[key] = (existing.Log, Sender);
            Context.Watch(Sender);
            Sender.Tell(new LogOpened(existing.Log));
            return;
        }

        try
        {
            var log = PartitionLog.Open(Path.Combine(_settings.LogsDir, key), open.Config);
            if (!log.OpenedCleanly)
            {
                _log.Info("[LogManager] Recovered log {0}: log end offset {1}, {2} bytes of torn tail removed", key, log.LogEndOffset, log.RecoveredTruncatedBytes);
            }

            _logs[key] = (log, Sender);
            Context.Watch(Sender);
            Sender.Tell(new LogOpened(log));
        }
        catch (StorageException e)
        {
            _log.Error(e, "[LogManager] Cannot open log {0}", key);
            Sender.Tell(new LogOpenFailed(e.Message));
        }
    }

    private void HandleDelete(DeleteLog delete)
    {
        var key = DirectoryName(delete.Topic, delete.Partition, delete.TopicId);
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
        }
        catch (IOException e)
        {
            _log.Error(e, "[LogManager] Cannot delete {0}", dir);
        }

        Sender.Tell(new LogDeleted(delete.TopicId, delete.Partition));
    }

    private void HandleWriterTerminated(IActorRef writer)
    {
        // The writer stopped (hand-over or shutdown): the log stays open here for the next writer on this node.
        foreach (var (key, entry) in _logs.Where(e => e.Value.Writer.Equals(writer)).ToList())
        {
            _logs[key] = (entry.Log, ActorRefs.Nobody);
        }
    }

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
