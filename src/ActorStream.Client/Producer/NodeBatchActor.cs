using Akka.Actor;
using Akka.Event;
using ActorStream.Client.Config;
using ActorStream.Client.Connection;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using Google.Protobuf;

namespace ActorStream.Client.Producer;

/// <summary>
/// The sender of one destination node (Kafka's Sender, per node). Each time it may send, it drains every ready
/// batch of every partition the node leads into ONE <see cref="ProduceRequest"/> (piggybacking), keeps at most
/// <c>max.in.flight.requests.per.connection</c> requests unanswered, and settles each batch from the response:
/// success, retry (after a metadata refresh and <c>retry.backoff.ms</c>; the batch may then go to another node's
/// actor) or failure. When the connection to the node drops (<see cref="NodeLinks"/>), every request in flight on it
/// fails at once as a retriable network error, and batches wait for new metadata instead of going to the lost node
/// until <c>reconnect.backoff.ms</c> has passed.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The drain timer lives as long as the actor: disposed in PostStop")]
internal sealed class NodeBatchActor : ReceiveActor, IWithTimers
{
    #region messages

    /// <summary>Look for ready batches (sent on appends, linger and backoff expiry, responses and metadata changes).</summary>
    internal sealed class TryDrain
    {
        public static readonly TryDrain Instance = new();

        private TryDrain()
        {
        }
    }

    private sealed record RequestExpired(long CorrelationId);

    /// <summary><paramref name="Link"/>: the connection it was sent on (<see cref="ClientConnection.LostToken"/>).</summary>
    private sealed record InFlightRequest(IReadOnlyList<ProducerBatch> Batches, CancellationToken Link);

    private sealed record ConnectionLost(CancellationToken Link);

    #endregion

    private readonly int _nodeId;
    private readonly ProducerConfig _config;
    private readonly RecordAccumulator _accumulator;
    private readonly ClientConnection _connection;
    private readonly IActorRef _producer;
    private readonly Dictionary<long, InFlightRequest> _inFlight = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _nextCorrelationId;
    private CancellationToken _watchedLink;
    private CancellationTokenRegistration _linkWatch;
    private DrainTimer? _drainTimer;

    public NodeBatchActor(int nodeId, ProducerConfig config, RecordAccumulator accumulator, ClientConnection connection, IActorRef producer)
    {
        _nodeId = nodeId;
        _config = config;
        _accumulator = accumulator;
        _connection = connection;
        _producer = producer;
        Receive<TryDrain>(_ => Drain());
        Receive<ProduceResponse>(HandleResponse);
        Receive<RequestExpired>(HandleExpired);
        Receive<ConnectionLost>(HandleConnectionLost);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(int nodeId, ProducerConfig config, RecordAccumulator accumulator, ClientConnection connection, IActorRef producer) =>
        Akka.Actor.Props.Create(() => new NodeBatchActor(nodeId, config, accumulator, connection, producer));

    protected override void PreStart()
    {
        var self = Self;
        _drainTimer = new DrainTimer(_accumulator.Time, () => self.Tell(TryDrain.Instance, ActorRefs.NoSender));
    }

    protected override void PostStop()
    {
        _linkWatch.Dispose();
        _drainTimer?.Dispose();
    }

    private void Drain()
    {
        if (_connection.IsBackingOff(_nodeId, out var retryIn))
        {
            // The batches stay queued: new metadata may move their partitions to another node meanwhile.
            _drainTimer!.Schedule(retryIn);
            return;
        }

        while (_inFlight.Count < _config.MaxInFlightRequestsPerConnection)
        {
            var drained = _accumulator.Drain(_nodeId, _connection.Metadata, _config.MaxRequestSize);
            if (drained.Batches.Count == 0)
            {
                if (drained.NextCheck is { } delay)
                {
                    // Not Akka's scheduler: its 10 ms tick would stretch a 1-5 ms linger.ms (see DrainTimer).
                    _drainTimer!.Schedule(delay);
                }

                return;
            }

            Send(drained.Batches);
        }
    }

    private void Send(IReadOnlyList<ProducerBatch> batches)
    {
        var correlationId = ++_nextCorrelationId;
        var request = new ProduceRequest { CorrelationId = correlationId, Acks = (int)_config.Acks, TimeoutMs = _config.RequestTimeoutMs };
        foreach (var batch in batches)
        {
            request.Partitions.Add(new ProducePartitionData
            {
                Topic = batch.TopicPartition.Topic,
                Partition = batch.TopicPartition.Partition,
                Records = UnsafeByteOperations.UnsafeWrap(batch.Bytes),
            });
        }

        var link = WatchLink();
        var interceptor = _config.Interceptor;
        interceptor?.OnRequest?.Invoke(_nodeId, request);
        var endpoint = _connection.Endpoint(_nodeId);
        if (endpoint is not null && interceptor?.ShouldSend?.Invoke(_nodeId, request) != false)
        {
            endpoint.Tell(request, Self);
        }

        if (_config.Acks == Acks.None)
        {
            // The broker does not answer acks=0: the records count as sent, offsets unknown.
            foreach (var batch in batches)
            {
                _accumulator.Complete(batch, -1, -1);
            }

            return;
        }

        _inFlight[correlationId] = new InFlightRequest(batches, link);
        Timers.StartSingleTimer(("timeout", correlationId), new RequestExpired(correlationId), TimeSpan.FromMilliseconds(_config.RequestTimeoutMs));
    }

    private void HandleResponse(ProduceResponse response)
    {
        if (_config.Interceptor?.ShouldDeliver?.Invoke(response) == false)
        {
            return;
        }

        if (!_inFlight.Remove(response.CorrelationId, out var request))
        {
            return; // answered after it timed out: its batches were already retried or failed
        }

        Timers.Cancel(("timeout", response.CorrelationId));
        var refresh = false;
        foreach (var batch in request.Batches)
        {
            var answer = response.Partitions.FirstOrDefault(p => p.Topic == batch.TopicPartition.Topic && p.Partition == batch.TopicPartition.Partition);
            if (answer is null)
            {
                refresh |= Settle(batch, ErrorCode.NetworkException, "The response has no answer for this partition");
                continue;
            }

            var code = (ErrorCode)answer.ErrorCode;
            if (code is ErrorCode.None or ErrorCode.DuplicateSequenceNumber)
            {
                _accumulator.Complete(batch, code == ErrorCode.None ? answer.BaseOffset : -1, answer.LogAppendTime);
            }
            else
            {
                refresh |= Settle(batch, code, answer.ErrorMessage);
            }
        }

        AfterSettling(refresh);
    }

    private void HandleExpired(RequestExpired expired)
    {
        if (!_inFlight.Remove(expired.CorrelationId, out var request))
        {
            return;
        }

        _log.Warning("[Producer node {0}] Request {1} got no answer within {2} ms", _nodeId, expired.CorrelationId, _config.RequestTimeoutMs);
        foreach (var batch in request.Batches)
        {
            Settle(batch, ErrorCode.RequestTimedOut, $"No answer from node {_nodeId} within request.timeout.ms ({_config.RequestTimeoutMs} ms)");
        }

        AfterSettling(refresh: true);
    }

    /// <summary>The token of the connection a request now goes out on, watched so that its loss fails what is in flight on it.</summary>
    private CancellationToken WatchLink()
    {
        var link = _connection.LostToken(_nodeId);
        if (link != _watchedLink)
        {
            _linkWatch.Dispose();
            _watchedLink = link;
            var self = Self;
            _linkWatch = link.Register(() => self.Tell(new ConnectionLost(link)));
        }

        return link;
    }

    private void HandleConnectionLost(ConnectionLost lost)
    {
        var requests = _inFlight.Where(r => r.Value.Link == lost.Link).ToList();
        if (requests.Count == 0)
        {
            return;
        }

        // INFO: the retry is the handling; a record that finally fails reaches its caller (and the CLI's error line).
        _log.Info("[Producer node {0}] Connection lost with {1} request(s) in flight: retrying them", _nodeId, requests.Count);
        foreach (var (correlationId, request) in requests)
        {
            _inFlight.Remove(correlationId);
            Timers.Cancel(("timeout", correlationId));
            foreach (var batch in request.Batches)
            {
                Settle(batch, ErrorCode.NetworkException, $"The connection to node {_nodeId} was lost", mayBeAppended: true);
            }
        }

        AfterSettling(refresh: true);
    }

    /// <summary>Retries or fails a batch that got an error; returns whether metadata should be refreshed.</summary>
    private bool Settle(ProducerBatch batch, ErrorCode code, string? message, bool mayBeAppended = false)
    {
        if (code == ErrorCode.MessageTooLarge && batch.RecordCount > 1)
        {
            // Kafka's Sender: split it and retry the parts, so that only a record too large on its own fails.
            var parts = _accumulator.SplitAndReenqueue(batch);
            _log.Info("[Producer node {0}] {1} refused a batch of {2} records as too large ({3}): split into {4} batches", _nodeId, batch.TopicPartition, batch.RecordCount, message, parts);
            return false;
        }

        var retriable = code.IsRetriable()
            || (code == ErrorCode.OutOfOrderSequenceNumber && _accumulator.Idempotent && _accumulator.IsOutOfOrderExpected(batch));
        var attemptsLeft = batch.Attempts <= _config.Retries;
        var timeLeft = DateTimeOffset.UtcNow.AddMilliseconds(_config.RetryBackoffMs) < batch.DeliveryDeadline;
        if (retriable && attemptsLeft && timeLeft)
        {
            if (code != ErrorCode.OutOfOrderSequenceNumber && _log.IsDebugEnabled)
            {
                _log.Debug("[Producer node {0}] Retrying {1} after {2}: {3}", _nodeId, batch.TopicPartition, code, message);
            }

            _accumulator.Retry(batch, code, message);
            return code != ErrorCode.OutOfOrderSequenceNumber;
        }

        var reason = retriable
            ? $"{message} (gave up after {batch.Attempts} attempt(s); retries={_config.Retries}, delivery.timeout.ms={_config.DeliveryTimeoutMs})"
            : message;

        // A broker's error answer means the batch was not appended: its sequence numbers are reusable. A timeout or a
        // lost connection leaves that unknown.
        _accumulator.Fail(batch, ActorStreamException.For(batch.TopicPartition, code, reason), appended: mayBeAppended || code == ErrorCode.RequestTimedOut);
        return retriable;
    }

    private void AfterSettling(bool refresh)
    {
        if (refresh)
        {
            _producer.Tell(ProducerActor.RefreshMetadata.Instance);
        }

        Drain();
    }
}
