using Akka.Actor;
using ActorStream.Broker.Partition;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Endpoint;

/// <summary>
/// Serves one multi-partition fetch: asks every partition at once (each parks up to <c>max.wait.ms</c> when it has
/// nothing new), and answers as soon as <c>min.bytes</c> have arrived, every partition has answered, or the wait is
/// over. Partitions still parked then get an empty answer (high watermark -1: unknown). Keeps the whole answer
/// within <c>max.bytes</c> (at least one partition's data) so the remote message stays small.
/// </summary>
public sealed class FetchAggregator : ReceiveActor, IWithTimers
{
    private sealed class Deadline
    {
        public static readonly Deadline Instance = new();
    }

    private readonly FetchRequest _request;
    private readonly IActorRef _replyTo;
    private readonly int _maxBytes;
    private readonly PartitionFetchResult?[] _results;
    private int _answered;
    private long _bytes;

    public FetchAggregator(FetchRequest request, IReadOnlyList<(int Index, PartitionEntityId? Id, ErrorCode Error)> routes, IActorRef partitions, IActorRef replyTo, int maxBytes)
    {
        _request = request;
        _replyTo = replyTo;
        _maxBytes = maxBytes;
        _results = new PartitionFetchResult?[request.Partitions.Count];
        foreach (var (index, id, error) in routes)
        {
            if (id is null)
            {
                _results[index] = new PartitionFetchResult { ErrorCode = (int)error, HighWatermark = -1, LogStartOffset = -1 };
                _answered++;
                continue;
            }

            var partition = request.Partitions[index];
            var fetch = new PartitionFetch
            {
                EntityId = id.Value.ToString(),
                FetchOffset = partition.FetchOffset,
                MaxBytes = Math.Min(partition.PartitionMaxBytes <= 0 ? maxBytes : partition.PartitionMaxBytes, maxBytes),
                MaxWaitMs = request.MaxWaitMs,
            };
            partitions.Ask<PartitionFetchResult>(fetch, TimeSpan.FromMilliseconds(Math.Max(request.MaxWaitMs, 0) + 30_000))
                .PipeTo(Self, success: r => (index, r), failure: _ => (index, new PartitionFetchResult { ErrorCode = (int)ErrorCode.RequestTimedOut, HighWatermark = -1 }));
        }

        Receive<(int Index, PartitionFetchResult Result)>(answer =>
        {
            if (_results[answer.Index] is null)
            {
                _results[answer.Index] = answer.Result;
                _answered++;
                _bytes += answer.Result.Records.Length;
            }

            MaybeComplete();
        });
        Receive<Deadline>(_ => Complete());
    }

    public static Props Props(FetchRequest request, IReadOnlyList<(int, PartitionEntityId?, ErrorCode)> routes, IActorRef partitions, IActorRef replyTo, int maxBytes) =>
        Akka.Actor.Props.Create(() => new FetchAggregator(request, routes, partitions, replyTo, maxBytes));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Timers.StartSingleTimer("deadline", Deadline.Instance, TimeSpan.FromMilliseconds(Math.Max(_request.MaxWaitMs, 0) + 100));
        MaybeComplete();
    }

    private void MaybeComplete()
    {
        if (_answered == _results.Length || (_bytes > 0 && _bytes >= Math.Max(_request.MinBytes, 1)))
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
            response.Partitions.Add(new FetchPartitionResponse
            {
                Topic = request.Topic,
                Partition = request.Partition,
                ErrorCode = result.ErrorCode,
                ErrorMessage = result.ErrorMessage,
                HighWatermark = result.HighWatermark,
                LogStartOffset = result.LogStartOffset,
                Records = records,
            });
        }

        _replyTo.Tell(response);
        Context.Stop(Self);
    }
}
