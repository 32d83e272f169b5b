using System.Buffers.Binary;
using ActorStream.Storage.Errors;
using ActorStream.Storage.Records;
using ActorStream.Storage.Tests.Support;

namespace ActorStream.Storage.Tests.Records;

public class RecordBatchValidationSpec
{
    [Fact]
    public void Validate_must_reject_a_truncated_batch()
    {
        var batch = TestBatches.Create(5);
        var e = Assert.Throws<CorruptRecordException>(() => RecordBatch.Validate(batch.AsSpan(0, batch.Length - 1)));
        Assert.Equal(StorageErrorCode.CorruptMessage, e.ErrorCode);
        Assert.Throws<CorruptRecordException>(() => RecordBatch.Validate(batch.AsSpan(0, 20)));
    }

    [Fact]
    public void Validate_must_reject_a_wrong_magic()
    {
        var batch = TestBatches.Create(1);
        batch[RecordBatch.MagicOffset] = 1;
        var e = Assert.Throws<CorruptRecordException>(() => RecordBatch.Validate(batch));
        Assert.Contains("magic", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Validate_must_reject_a_flipped_byte_anywhere_after_the_leader_epoch()
    {
        var batch = TestBatches.Create(4, valueSize: 20);
        for (var i = RecordBatch.AttributesOffset; i < batch.Length; i++)
        {
            var copy = (byte[])batch.Clone();
            copy[i] ^= 0x01;
            Assert.ThrowsAny<StorageException>(() => RecordBatch.Validate(copy));
        }
    }

    [Fact]
    public void Validate_must_reject_a_batch_above_the_size_limit()
    {
        var batch = TestBatches.Create(10, valueSize: 100);
        var e = Assert.Throws<RecordTooLargeException>(() => RecordBatch.Validate(batch, maxBatchSize: batch.Length - 1));
        Assert.Equal(StorageErrorCode.RecordTooLarge, e.ErrorCode);
        RecordBatch.Validate(batch, maxBatchSize: batch.Length);
    }

    [Fact]
    public void Validate_must_reject_a_record_count_that_disagrees_with_the_offsets()
    {
        var batch = TestBatches.Create(3);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.RecordsCountOffset), 4);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatch.CrcOffset), RecordBatch.ComputeChecksum(batch));
        Assert.Throws<InvalidRecordException>(() => RecordBatch.Validate(batch));
    }

    [Fact]
    public void Reader_must_reject_records_that_run_past_their_batch()
    {
        var batch = TestBatches.Create(2);
        batch[RecordBatch.RecordsOffset] = 0x7E; // first record claims 63 bytes
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatch.CrcOffset), RecordBatch.ComputeChecksum(batch));
        var view = new RecordBatchView(RecordBatch.Validate(batch), batch);
        Assert.Throws<CorruptRecordException>(() => view.ReadRecords());
    }
}
