using ActorStream.Storage.Compression;
using ActorStream.Storage.Records;
using CsCheck;

namespace ActorStream.Storage.Tests.Records;

public class RecordBatchRoundTripSpec
{
    private sealed record GenRecord(long Timestamp, byte[]? Key, byte[]? Value, (string Key, byte[]? Value)[] Headers);

    private static readonly Gen<byte[]?> NullableBytes =
        Gen.Frequency((1, Gen.Const((byte[]?)null)), (4, Gen.Byte.Array[0, 64].Select(b => (byte[]?)b)));

    private static readonly Gen<GenRecord> RecordGen =
        Gen.Select(
            Gen.Long[-1_000_000, 1_000_000],
            NullableBytes,
            NullableBytes,
            Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 0, 8], NullableBytes).Array[0, 3],
            (ts, key, value, headers) => new GenRecord(1_700_000_000_000 + ts, key, value, headers));

    private static readonly Gen<(CompressionType Codec, GenRecord[] Records, long ProducerId, short Epoch, int Sequence)> BatchGen =
        Gen.Select(
            Gen.Enum<CompressionType>(),
            RecordGen.Array[1, 40],
            Gen.Long[-1, long.MaxValue],
            Gen.Short[-1, short.MaxValue],
            Gen.Int[-1, int.MaxValue]);

    [Fact]
    public void Random_batches_must_round_trip_through_every_codec() =>
        BatchGen.Sample(sample =>
        {
            var (codec, records, producerId, epoch, sequence) = sample;
            using var builder = new RecordBatchBuilder(codec, producerId, epoch, sequence);
            foreach (var r in records)
            {
                builder.Append(r.Timestamp, r.Key, r.Value, r.Headers.Select(h => new RecordHeader(h.Key, h.Value)).ToArray());
            }

            var bytes = builder.Build();
            var header = RecordBatch.Validate(bytes);
            Assert.Equal(codec, header.Compression);
            Assert.Equal(records.Length, header.RecordCount);
            Assert.Equal(records.Max(r => r.Timestamp), header.MaxTimestamp);
            Assert.Equal(records[0].Timestamp, header.BaseTimestamp);
            Assert.Equal((producerId, epoch, sequence), (header.ProducerId, header.ProducerEpoch, header.BaseSequence));

            var decoded = RecordBatchReader.ReadRecords(bytes).ToArray();
            Assert.Equal(records.Length, decoded.Length);
            for (var i = 0; i < records.Length; i++)
            {
                Assert.Equal(i, decoded[i].Offset);
                Assert.Equal(records[i].Timestamp, decoded[i].Timestamp);
                AssertBytes(records[i].Key, decoded[i].Key);
                AssertBytes(records[i].Value, decoded[i].Value);
                Assert.Equal(records[i].Headers.Length, decoded[i].Headers.Count);
                for (var h = 0; h < records[i].Headers.Length; h++)
                {
                    Assert.Equal(records[i].Headers[h].Key, decoded[i].Headers[h].Key);
                    Assert.Equal(records[i].Headers[h].Value, decoded[i].Headers[h].Value);
                }
            }
        }, iter: 300);

    private static void AssertBytes(byte[]? expected, ReadOnlyMemory<byte>? actual)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is not null)
        {
            Assert.Equal(expected, actual!.Value.ToArray());
        }
    }

    [Fact]
    public void Builder_must_be_reusable_after_reset()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Lz4);
        builder.Append(1, "a"u8, "1"u8);
        var first = builder.Build();
        builder.Reset();
        builder.Append(2, "b"u8, "2"u8);
        builder.Append(3, "c"u8, "3"u8);
        var second = builder.Build();
        Assert.Single(RecordBatchReader.ReadRecords(first));
        Assert.Equal([2L, 3L], RecordBatchReader.ReadRecords(second).Select(r => r.Timestamp));
    }

    [Fact]
    public void Builder_must_refuse_an_empty_batch()
    {
        using var builder = new RecordBatchBuilder();
        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public void Reader_must_skip_a_trailing_partial_batch_like_a_fetch_response_may_carry()
    {
        var one = Support.TestBatches.Create(3);
        var two = Support.TestBatches.Create(2);
        RecordBatch.SetBaseOffset(two, 3);
        var buffer = Support.TestBatches.Concat(one, two[..(two.Length - 5)]);
        Assert.Equal([0L, 1L, 2L], RecordBatchReader.ReadRecords(buffer).Select(r => r.Offset));
    }
}
