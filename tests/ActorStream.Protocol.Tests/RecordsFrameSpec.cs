using Akka.Configuration;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;
using ActorStream.Protocol.Serialization;
using ActorStream.Storage.Log;
using ActorStream.Storage.Records;
using Google.Protobuf;

namespace ActorStream.Protocol.Tests;

/// <summary>
/// Messages that carry record batches travel as a records frame: the records are written raw after the protobuf
/// skeleton and sliced, not copied, on receive. The allocation budgets guard that: they are deterministic
/// (bytes allocated on this thread), so they cannot flake the way a timing would.
/// </summary>
public sealed class RecordsFrameSpec : Akka.TestKit.Xunit2.TestKit
{
    private const int BatchBytes = 256 * 1024;

    /// <summary>Per message, apart from the record bytes themselves: the skeleton clone, the parsed message, the slices.</summary>
    private const long OverheadBudget = 4 * 1024;

    private readonly ActorStreamSerializer _serializer;

    public RecordsFrameSpec()
        : base(ConfigurationFactory.ParseString("akka.actor.serialize-messages = off").WithFallback(ProtocolConfig.Default))
    {
        _serializer = (ActorStreamSerializer)Sys.Serialization.FindSerializerForType(typeof(ProduceRequest));
    }

    private static ByteString Records(int length, int seed) =>
        UnsafeByteOperations.UnsafeWrap(Enumerable.Range(0, length).Select(i => (byte)(i * 31 + seed)).ToArray());

    private static ProduceRequest Produce(params int[] lengths)
    {
        var request = new ProduceRequest { CorrelationId = 11, Acks = -1, TimeoutMs = 3000 };
        for (var i = 0; i < lengths.Length; i++)
        {
            request.Partitions.Add(new ProducePartitionData { Topic = "orders", Partition = i, Records = Records(lengths[i], i) });
        }

        return request;
    }

    private T RoundTrip<T>(T message)
        where T : class =>
        (T)_serializer.FromBinary(_serializer.ToBinary(message), _serializer.Manifest(message));

    [Fact]
    public void A_produce_request_with_several_partitions_must_round_trip_with_every_record_field_in_place()
    {
        var request = Produce(70_000, 0, 5, 300);
        var back = RoundTrip(request);
        Assert.Equal(request, back);
        Assert.True(request.Partitions[1].Records.IsEmpty);
    }

    [Fact]
    public void A_fetch_response_partition_append_and_fetch_result_must_round_trip()
    {
        var fetch = new FetchResponse { CorrelationId = 5 };
        fetch.Partitions.Add(new FetchPartitionResponse { Topic = "t", Partition = 2, HighWatermark = 9, Records = Records(1000, 1), DivergingEpoch = 3 });
        fetch.Partitions.Add(new FetchPartitionResponse { Topic = "u", Partition = 0, ErrorCode = 6, ErrorMessage = "not the leader" });
        Assert.Equal(fetch, RoundTrip(fetch));

        var append = new PartitionAppend { EntityId = "abc-1", Acks = 1, TimeoutMs = 5, Records = Records(2000, 2) };
        Assert.Equal(append, RoundTrip(append));

        var result = new PartitionFetchResult { HighWatermark = 4, LogStartOffset = 1, Records = Records(3000, 3), DivergingEpoch = 2, DivergingEndOffset = 8 };
        Assert.Equal(result, RoundTrip(result));
    }

    [Fact]
    public void A_framed_payload_must_keep_the_manifest_and_start_with_the_frame_marker()
    {
        var request = Produce(10);
        Assert.Equal("C7", _serializer.Manifest(request));
        Assert.Equal([0x00, 0x01], _serializer.ToBinary(request)[..2]);
    }

    [Fact]
    public void Plain_protobuf_written_by_earlier_versions_must_still_be_read()
    {
        var request = Produce(1000, 20);
        var back = (ProduceRequest)_serializer.FromBinary(request.ToByteArray(), "C7");
        Assert.Equal(request, back);
    }

    [Fact]
    public void A_truncated_frame_must_fail_clearly()
    {
        var bytes = _serializer.ToBinary(Produce(1000));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => _serializer.FromBinary(bytes[..^10], "C7"));
    }

    [Fact]
    public void Receiving_a_produce_request_must_slice_the_records_out_of_the_received_bytes_not_copy_them()
    {
        var bytes = _serializer.ToBinary(Produce(BatchBytes));
        _serializer.FromBinary(bytes, "C7"); // warm up (first-call JIT and static allocations)

        var before = GC.GetAllocatedBytesForCurrentThread();
        var back = (ProduceRequest)_serializer.FromBinary(bytes, "C7");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(BatchBytes, back.Partitions[0].Records.Length);
        Assert.True(allocated < OverheadBudget, $"parsing a produce request of {BatchBytes} record bytes allocated {allocated} bytes (budget {OverheadBudget}: the records must not be copied)");
    }

    [Fact]
    public void Sending_a_fetch_response_must_copy_the_records_once_into_the_payload()
    {
        var response = new FetchResponse { CorrelationId = 1 };
        response.Partitions.Add(new FetchPartitionResponse { Topic = "t", Partition = 0, Records = Records(BatchBytes, 0) });
        _serializer.ToBinary(response);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var bytes = _serializer.ToBinary(response);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(bytes.Length > BatchBytes);
        Assert.True(allocated < BatchBytes + OverheadBudget, $"serializing a fetch response of {BatchBytes} record bytes allocated {allocated} bytes (budget {BatchBytes + OverheadBudget}: one payload array)");
    }

    [Fact]
    public void Receiving_a_fetch_response_must_slice_the_records_out_of_the_received_bytes_not_copy_them()
    {
        var response = new FetchResponse { CorrelationId = 1 };
        response.Partitions.Add(new FetchPartitionResponse { Topic = "t", Partition = 0, Records = Records(BatchBytes, 0) });
        var bytes = _serializer.ToBinary(response);
        _serializer.FromBinary(bytes, "C13");

        var before = GC.GetAllocatedBytesForCurrentThread();
        var back = (FetchResponse)_serializer.FromBinary(bytes, "C13");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(BatchBytes, back.Partitions[0].Records.Length);
        Assert.True(allocated < OverheadBudget, $"parsing a fetch response of {BatchBytes} record bytes allocated {allocated} bytes (budget {OverheadBudget})");
    }

    private static PartitionLog LogWithBatches(string directory, int batches)
    {
        var log = PartitionLog.Open(directory);
        var value = new byte[100];
        for (var b = 0; b < batches; b++)
        {
            using var builder = new RecordBatchBuilder();
            for (var i = 0; i < 1000; i++)
            {
                builder.Append(1_000, ReadOnlySpan<byte>.Empty, value);
            }

            log.Append(builder.Build(), leaderEpoch: 0);
        }

        return log;
    }

    [Fact]
    public void A_deferred_fetch_read_must_go_from_the_segment_straight_into_the_payload()
    {
        var directory = Directory.CreateTempSubdirectory("records-frame-").FullName;
        try
        {
            using var log = LogWithBatches(directory, 3);
            FetchResponse Response()
            {
                var response = new FetchResponse { CorrelationId = 3 };
                response.Partitions.Add(new FetchPartitionResponse { Topic = "t", Records = UnsafeByteOperations.UnsafeWrap(new DeferredFileRecords(log.Read(0, 1024 * 1024).Records).Memory) });
                return response;
            }

            var expected = log.Read(0, 1024 * 1024).Records.ToArray();
            _serializer.ToBinary(Response());
            var response = Response();
            var before = GC.GetAllocatedBytesForCurrentThread();
            var bytes = _serializer.ToBinary(response);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            var back = (FetchResponse)_serializer.FromBinary(bytes, "C13");
            Assert.Equal(expected, back.Partitions[0].Records.ToByteArray());
            Assert.True(allocated < expected.Length + OverheadBudget, $"serializing a deferred fetch of {expected.Length} bytes allocated {allocated} bytes (budget {expected.Length + OverheadBudget}: the payload only)");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_deferred_fetch_read_whose_segment_is_gone_must_travel_empty()
    {
        var directory = Directory.CreateTempSubdirectory("records-frame-").FullName;
        try
        {
            var log = LogWithBatches(directory, 1);
            var response = new FetchResponse { CorrelationId = 3 };
            response.Partitions.Add(new FetchPartitionResponse { Topic = "t", HighWatermark = 1000, Records = UnsafeByteOperations.UnsafeWrap(new DeferredFileRecords(log.Read(0, 1024 * 1024).Records).Memory) });
            log.Dispose();

            var back = (FetchResponse)_serializer.FromBinary(_serializer.ToBinary(response), "C13");
            Assert.True(back.Partitions[0].Records.IsEmpty);
            Assert.Equal(1000, back.Partitions[0].HighWatermark);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
