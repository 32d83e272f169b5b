using Akka.Actor;
using ActorStream.Broker.Partition;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Endpoint;

/// <summary>
/// Serves one multi-partition fetch in two phases, like Kafka's fetch path:
/// <list type="number">
/// <item>asks every partition at once for what it has now (no parking), each within an equal share of the byte
/// budget, so no partition reads data the response then has to drop;</item>
/// <item>if that is less than <c>fetch.min.bytes</c>, asks the partitions that had nothing to park until data
/// arrives, and answers as soon as <c>fetch.min.bytes</c> have arrived, every partition has answered, or
/// <c>fetch.max.wait.ms</c> is over (partitions still parked then answer empty, high watermark -1: unknown).</item>
/// </list>
/// The whole answer stays within <c>max.bytes</c> (at least one partition's data) so the remote message stays small.
/// </summary>
public sealed class FetchAggregator : ReceiveActor, IWithTimers
{
    private sealed class Deadline
    {
        public static readonly Deadline Instance = new();
    }

    private sealed record Answer(int Phase, int Index, PartitionFetchResult Result);

    private const int MinPartitionShare = 16 * 1024;

    private readonly FetchRequest _request;
    private readonly IReadOnlyList<(int Index, PartitionEntityId? Id, ErrorCode Error)> _routes;
    private readonly IActorRef _partitions;
    private readonly IActorRef _replyTo;
    private readonly int _maxBytes;
    private readonly int _share;
    private readonly PartitionFetchResult?[] _results;
    private int _phase = 1;
    private int _pending;
    private long _bytes;

    public FetchAggregator(FetchRequest request, IReadOnlyList<(int Index, PartitionEntityId? Id, ErrorCode Error)> routes, IActorRef partitions, IActorRef replyTo, int maxBytes)
    {
        _request = request;
        _routes = routes;
        _partitions = partitions;
        _replyTo = replyTo;
        _maxBytes = maxBytes;
        _share = Math.Max(MinPartitionShare, maxBytes / Math.Max(1, routes.Count(r => r.Id is not null)));
        _results = new PartitionFetchResult?[request.Partitions.Count];
        Receive<Answer>(HandleAnswer);
        Receive<Deadline>(_ => Complete());
    }

    public static Props Props(FetchRequest request, IReadOnlyList<(int, PartitionEntityId?, ErrorCode)> routes, IActorRef partitions, IActorRef replyTo, int maxBytes) =>
        Akka.Actor.Props.Create(() => new FetchAggregator(request, routes, partitions, replyTo, maxBytes));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Timers.StartSingleTimer("deadline", Deadline.Instance, TimeSpan.FromMilliseconds(Math.Max(_request.MaxWaitMs, 0) + 100));
        foreach (var (index, id, error) in _routes)
        {
            if (id is null)
            {
                _results[index] = new PartitionFetchResult { ErrorCode = (int)error, HighWatermark = -1, LogStartOffset = -1 };
                continue;
            }

            Ask(index, id.Value, maxWaitMs: 0);
        }

        MaybeComplete();
    }

    private void Ask(int index, PartitionEntityId id, int maxWaitMs)
    {
        var partition = _request.Partitions[index];
        var fetch = new PartitionFetch
        {
            EntityId = id.ToString(),
            FetchOffset = partition.FetchOffset,
            MaxBytes = Math.Min(partition.PartitionMaxBytes <= 0 ? _share : partition.PartitionMaxBytes, _share),
            MaxWaitMs = maxWaitMs,
            // A remote consumer gets the answer through the serializer, which reads the segment range into its payload.
            DeferredRead = !_request.HasReplicaId && !_replyTo.Path.Address.HasLocalScope,
        };
        if (partition.HasCurrentLeaderEpoch)
        {
            fetch.CurrentLeaderEpoch = partition.CurrentLeaderEpoch;
        }

        if (_request.HasReplicaId)
        {
            fetch.ReplicaId = _request.ReplicaId;
            if (partition.HasLastFetchedEpoch)
            {
                fetch.LastFetchedEpoch = partition.LastFetchedEpoch;
            }
        }

        var phase = _phase;
        _pending++;
        _partitions.Ask<PartitionFetchResult>(fetch, TimeSpan.FromMilliseconds(maxWaitMs + 30_000))
            .PipeTo(Self, success: r => new Answer(phase, index, r), failure: _ => new Answer(phase, index, new PartitionFetchResult { ErrorCode = (int)ErrorCode.RequestTimedOut, HighWatermark = -1 }));
    }

    private void HandleAnswer(Answer answer)
    {
        if (answer.Phase != _phase)
        {
            return;
        }

        _pending--;
        _results[answer.Index] = answer.Result;
        _bytes += answer.Result.Records.Length;
        MaybeComplete();
    }

    private void MaybeComplete()
    {
        var enough = _bytes > 0 && _bytes >= Math.Max(_request.MinBytes, 1);
        if (_phase == 1 && _pending == 0)
        {
            if (enough || _request.MaxWaitMs <= 0)
            {
                Complete();
                return;
            }

            // Nothing (or too little) yet: park the partitions that had nothing new.
            _phase = 2;
            foreach (var (index, id, _) in _routes)
            {
                if (id is not null && _results[index] is { ErrorCode: 0, Records.IsEmpty: true, HasDivergingEpoch: false })
                {
                    Ask(index, id.Value, _request.MaxWaitMs);
                }
            }

            if (_pending == 0)
            {
                Complete();
            }
        }
        else if (_phase == 2 && (enough || _pending == 0))
        {
            Complete();
        }
    }

    private void Complete()
    {
        var response = new FetchResponse { CorrelationId = _request.CorrelationId };
        var budget = (long)_maxBytes;
        for (var i = 0; i < _results.Length; i++)
        {
            var request = _request.Partitions[i];
            var result = _results[i] ?? new PartitionFetchResult { HighWatermark = -1, LogStartOffset = -1 };
            var records = result.Records;
            if (records.Length > budget && budget < _maxBytes)
            {
                records = Google.Protobuf.ByteString.Empty; // over the response budget: the client fetches it next time
            }

            budget -= records.Length;
            var partitionResponse = new FetchPartitionResponse
            {
                Topic = request.Topic,
                Partition = request.Partition,
                ErrorCode = result.ErrorCode,
                ErrorMessage = result.ErrorMessage,
                HighWatermark = result.HighWatermark,
                LogStartOffset = result.LogStartOffset,
                Records = records,
            };
            if (result.HasDivergingEpoch)
            {
                partitionResponse.DivergingEpoch = result.DivergingEpoch;
                partitionResponse.DivergingEndOffset = result.DivergingEndOffset;
            }

            response.Partitions.Add(partitionResponse);
        }

        _replyTo.Tell(response);
        Context.Stop(Self);
    }
}
