using System.Text;
using ActorStream.Storage.Compression;
using ActorStream.Storage.Records;
using ActorStream.Storage.Tests.Support;

namespace ActorStream.Storage.Tests.Records;

/// <summary>Checks the encoder against bytes assembled by hand from Kafka's RecordBatch v2 specification.</summary>
public class RecordBatchGoldenSpec
{
    private static byte[] HandAssembledBatch()
    {
        byte[] record =
        [
            0x10,       // length 8 (zig-zag)
            0x00,       // attributes
            0x00,       // timestampDelta 0
            0x00,       // offsetDelta 0
            0x02, 0x6B, // key length 1, "k"
            0x02, 0x76, // value length 1, "v"
            0x00,       // no headers
        ];
        byte[] afterCrc =
        [
            0x00, 0x00,                                     // attributes: no compression, CreateTime
            0x00, 0x00, 0x00, 0x00,                         // lastOffsetDelta
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8, // baseTimestamp 1000
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8, // maxTimestamp 1000
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // producerId -1
            0xFF, 0xFF,                                     // producerEpoch -1
            0xFF, 0xFF, 0xFF, 0xFF,                         // baseSequence -1
            0x00, 0x00, 0x00, 0x01,                         // 1 record
            .. record,
        ];
        var crc = ReferenceCrc32C.Compute(afterCrc);
        byte[] beforeCrc =
        [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // baseOffset 0
            0x00, 0x00, 0x00, 0x3A,                         // batchLength 58 = 70 - 12
            0xFF, 0xFF, 0xFF, 0xFF,                         // partitionLeaderEpoch -1
            0x02,                                           // magic
        ];
        return [.. beforeCrc, (byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc, .. afterCrc];
    }

    [Fact]
    public void Builder_must_produce_the_hand_assembled_bytes()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1000, "k"u8, "v"u8);
        Assert.Equal(HandAssembledBatch(), builder.Build());
    }

    [Fact]
    public void Reader_must_decode_the_hand_assembled_bytes()
    {
        var batch = HandAssembledBatch();
        var header = RecordBatch.Validate(batch);
        Assert.Equal(70, header.SizeInBytes);
        Assert.Equal(CompressionType.None, header.Compression);
        var record = Assert.Single(RecordBatchReader.ReadRecords(batch));
        Assert.Equal(0, record.Offset);
        Assert.Equal(1000, record.Timestamp);
        Assert.Equal("k", Encoding.UTF8.GetString(record.Key!.Value.Span));
        Assert.Equal("v", Encoding.UTF8.GetString(record.Value!.Value.Span));
        Assert.Empty(record.Headers);
    }

    [Fact]
    public void Patching_base_offset_and_leader_epoch_must_keep_the_crc_valid()
    {
        var batch = HandAssembledBatch();
        RecordBatch.SetBaseOffset(batch, 1_234_567_890_123);
        RecordBatch.SetPartitionLeaderEpoch(batch, 42);
        var header = RecordBatch.Validate(batch);
        Assert.Equal(1_234_567_890_123, header.BaseOffset);
        Assert.Equal(42, header.PartitionLeaderEpoch);
        Assert.Equal(1_234_567_890_123, Assert.Single(RecordBatchReader.ReadRecords(batch)).Offset);
    }
}
