using Akka.Actor;
using Akka.Event;
using ActorStream.Client.Config;
using ActorStream.Client.Connection;

namespace ActorStream.Client.Producer;

/// <summary>
/// The producer's actor: parent of one <see cref="NodeBatchActor"/> per destination node, routes wake-ups to them,
/// refreshes metadata (on errors, for batches without a leader or whose leader's connection just dropped, and every <c>metadata.max.age.ms</c>), expires
/// batches past <c>delivery.timeout.ms</c>, and serves the actor-facing API (<see cref="IProduceRecord"/> in,
/// <see cref="DeliveryReport"/> out).
/// </summary>
internal sealed class ProducerActor : ReceiveActor, IWithTimers
{
    #region messages

    /// <summary>Records were appended to partitions led by this node.</summary>
    internal sealed record WakeUp(int NodeId);

    internal sealed class WakeUpAll
    {
        public static readonly WakeUpAll Instance = new();

        private WakeUpAll()
        {
        }
    }

    internal sealed class RefreshMetadata
    {
        public static readonly RefreshMetadata Instance = new();

        private RefreshMetadata()
        {
        }
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();

        private Tick()
        {
        }
    }

    private sealed record MetadataRefreshed(Exception? Error);

    #endregion

    private readonly ProducerConfig _config;
    private readonly RecordAccumulator _accumulator;
    private readonly ClientConnection _connection;
    private readonly Func<IProduceRecord, Task<RecordMetadata>> _produce;
    private readonly Dictionary<int, IActorRef> _nodes = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _refreshing;
    private bool _refreshAgain;

    public ProducerActor(ProducerConfig config, RecordAccumulator accumulator, ClientConnection connection, Func<IProduceRecord, Task<RecordMetadata>> produce)
    {
        _config = config;
        _accumulator = accumulator;
        _connection = connection;
        _produce = produce;
        Receive<WakeUp>(w => Node(w.NodeId)?.Tell(NodeBatchActor.TryDrain.Instance));
        Receive<WakeUpAll>(_ => WakeAll());
        Receive<RefreshMetadata>(_ => StartRefresh());
        Receive<MetadataRefreshed>(HandleRefreshed);
        Receive<Tick>(_ => HandleTick());
        Receive<IProduceRecord>(HandleProduce);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ProducerConfig config, RecordAccumulator accumulator, ClientConnection connection, Func<IProduceRecord, Task<RecordMetadata>> produce) =>
        Akka.Actor.Props.Create(() => new ProducerActor(config, accumulator, connection, produce));

    protected override void PreStart()
    {
        var interval = TimeSpan.FromMilliseconds(Math.Clamp(_config.RetryBackoffMs, 10, 100));
        Timers.StartPeriodicTimer("tick", Tick.Instance, interval);
    }

    private IActorRef? Node(int nodeId)
    {
        if (_nodes.TryGetValue(nodeId, out var node))
        {
            return node;
        }

        if (!_connection.Metadata.Nodes.ContainsKey(nodeId))
        {
            return null;
        }

        node = Context.ActorOf(NodeBatchActor.Props(nodeId, _config, _accumulator, _connection, Self), $"node-{nodeId}");
        _nodes.Add(nodeId, node);
        return node;
    }

    private void WakeAll()
    {
        foreach (var nodeId in _connection.Metadata.Nodes.Keys)
        {
            Node(nodeId)?.Tell(NodeBatchActor.TryDrain.Instance);
        }
    }

    private void HandleTick()
    {
        _accumulator.ExpireBatches();
        var metadata = _connection.Metadata;
        if (_accumulator.HasBatchesWithoutLeader(metadata)
            || _accumulator.NodesWithQueuedBatches(metadata).Any(n => _connection.IsBackingOff(n, out _))
            || DateTimeOffset.UtcNow - metadata.UpdatedAt > TimeSpan.FromMilliseconds(_config.MetadataMaxAgeMs))
        {
            StartRefresh();
        }
    }

    private void StartRefresh()
    {
        if (_refreshing)
        {
            _refreshAgain = true;
            return;
        }

        _refreshing = true;
        _refreshAgain = false;
        var connection = _connection;
        var backoff = TimeSpan.FromMilliseconds(_config.RetryBackoffMs);
        RefreshAsync(connection, backoff).PipeTo(Self, success: () => new MetadataRefreshed(null), failure: e => new MetadataRefreshed(e));
    }

    private static async Task RefreshAsync(ClientConnection connection, TimeSpan backoff)
    {
        await connection.RefreshAsync(allowAutoTopicCreation: false).ConfigureAwait(false);
        if (backoff > TimeSpan.Zero)
        {
            await Task.Delay(backoff).ConfigureAwait(false); // no more than one refresh per retry.backoff.ms
        }
    }

    private void HandleRefreshed(MetadataRefreshed refreshed)
    {
        _refreshing = false;
        if (refreshed.Error is not null)
        {
            // INFO: retried every retry.backoff.ms while a node fails over (dozens of lines a failover at WARNING).
            _log.Info("[Producer {0}] Metadata refresh failed: {1}", _config.ClientId, refreshed.Error.Message);
        }

        WakeAll();
        if (_refreshAgain)
        {
            StartRefresh();
        }
    }

    private void HandleProduce(IProduceRecord record)
    {
        var replyTo = Sender;
        var correlationId = record.CorrelationId;
        Task<RecordMetadata> task;
        try
        {
            task = _produce(record);
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or ActorStreamException)
        {
            replyTo.Tell(new DeliveryReport(null, e, correlationId));
            return;
        }

        task.PipeTo(replyTo, success: m => new DeliveryReport(m, null, correlationId), failure: e => new DeliveryReport(null, e, correlationId));
    }
}
