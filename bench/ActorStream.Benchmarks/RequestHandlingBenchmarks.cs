using ActorStream.Benchmarks.Workloads;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.Protocol.Serialization;
using ActorStream.Storage.Log;
using Akka.Actor;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;

namespace ActorStream.Benchmarks;

/// <summary>
/// The broker's share of one native request, side by side with what earlier versions did: receiving a 256 KiB
/// produce request (plain protobuf parse, which copies the records, versus the records frame, which slices them),
/// and answering a 1 MiB fetch (read the segment range into an array, then protobuf-serialize it, versus the deferred
/// read the records frame copies straight from the page cache into the payload). Akka.Remote's own copies (envelope
/// and socket) come on top of both and are not measured here.
/// </summary>
public class RequestHandlingBenchmarks
{
    private const int ProduceBytes = 256 * 1024;
    private const int FetchBytes = 1024 * 1024;

    private ActorSystem _system = null!;
    private ActorStreamSerializer _serializer = null!;
    private string _directory = null!;
    private PartitionLog _log = null!;
    private byte[] _plainProduce = null!;
    private byte[] _framedProduce = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _system = ActorSystem.Create("bench", ProtocolConfig.Default);
        _serializer = (ActorStreamSerializer)_system.Serialization.FindSerializerForType(typeof(ProduceRequest));
        var request = new ProduceRequest { CorrelationId = 1, Acks = 1, TimeoutMs = 30_000 };
        request.Partitions.Add(new ProducePartitionData { Topic = "perf", Partition = 0, Records = ByteString.CopyFrom(ExactSizeBatch.Build(ProduceBytes)) });
        _plainProduce = request.ToByteArray();
        _framedProduce = _serializer.ToBinary(request);

        _directory = TemporaryDirectory.Create("request");
        _log = PartitionLog.Open(_directory);
        var batch = ExactSizeBatch.Build(64 * 1024);
        for (var i = 0; i < 2 * FetchBytes / batch.Length; i++)
        {
            _log.Append(batch, leaderEpoch: 1);
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _log.CloseWithoutMarker();
        TemporaryDirectory.Delete(_directory);
        _system.Terminate().Wait();
    }

    [Benchmark(Description = "produce receive: protobuf parse (copies the records)")]
    public int Produce_receive_plain() => ProduceRequest.Parser.ParseFrom(_plainProduce).Partitions[0].Records.Length;

    [Benchmark(Description = "produce receive: records frame (slices the records)")]
    public int Produce_receive_frame() => ((ProduceRequest)_serializer.FromBinary(_framedProduce, "C7")).Partitions[0].Records.Length;

    [Benchmark(Description = "fetch answer: read into an array + protobuf serialize")]
    public int Fetch_answer_eager() => Response(UnsafeByteOperations.UnsafeWrap(_log.Read(0, FetchBytes).Records.ToArray())).ToByteArray().Length;

    [Benchmark(Description = "fetch answer: deferred read into the records frame")]
    public int Fetch_answer_deferred() => _serializer.ToBinary(Response(UnsafeByteOperations.UnsafeWrap(new DeferredFileRecords(_log.Read(0, FetchBytes).Records).Memory))).Length;

    private static FetchResponse Response(ByteString records)
    {
        var response = new FetchResponse { CorrelationId = 1 };
        response.Partitions.Add(new FetchPartitionResponse { Topic = "perf", Partition = 0, HighWatermark = 1, Records = records });
        return response;
    }
}
