using System.Buffers.Binary;
using ActorStream.Storage.Compression;

namespace ActorStream.Storage.Records;

/// <summary>The 61-byte header of a RecordBatch v2, parsed (see <see cref="RecordBatch"/> for the layout).</summary>
public readonly record struct RecordBatchHeader(
    long BaseOffset,
    int BatchLength,
    int PartitionLeaderEpoch,
    byte Magic,
    uint Crc,
    short Attributes,
    int LastOffsetDelta,
    long BaseTimestamp,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence,
    int RecordCount)
{
    public int SizeInBytes => BatchLength + RecordBatch.LogOverhead;

    public long LastOffset => BaseOffset + LastOffsetDelta;

    public long NextOffset => LastOffset + 1;

    public CompressionType Compression => (CompressionType)(Attributes & RecordBatch.CompressionCodecMask);

    public TimestampType TimestampType =>
        (Attributes & RecordBatch.TimestampTypeMask) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    public bool IsTransactional => (Attributes & RecordBatch.TransactionalFlagMask) != 0;

    public bool IsControl => (Attributes & RecordBatch.ControlFlagMask) != 0;

    public int LastSequence => BaseSequence == RecordBatch.NoSequence
        ? RecordBatch.NoSequence
        : (int)((BaseSequence + (long)LastOffsetDelta) % ((long)int.MaxValue + 1));

    /// <summary>Parses the header; <paramref name="buffer"/> must hold at least <see cref="RecordBatch.HeaderSize"/> bytes.</summary>
    public static RecordBatchHeader Read(ReadOnlySpan<byte> buffer)
    {
        buffer = buffer[..RecordBatch.HeaderSize];
        return new RecordBatchHeader(
            BinaryPrimitives.ReadInt64BigEndian(buffer[RecordBatch.BaseOffsetOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(buffer[RecordBatch.LengthOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(buffer[RecordBatch.PartitionLeaderEpochOffset..]),
            buffer[RecordBatch.MagicOffset],
            BinaryPrimitives.ReadUInt32BigEndian(buffer[RecordBatch.CrcOffset..]),
            BinaryPrimitives.ReadInt16BigEndian(buffer[RecordBatch.AttributesOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(buffer[RecordBatch.LastOffsetDeltaOffset..]),
            BinaryPrimitives.ReadInt64BigEndian(buffer[RecordBatch.BaseTimestampOffset..]),
            BinaryPrimitives.ReadInt64BigEndian(buffer[RecordBatch.MaxTimestampOffset..]),
            BinaryPrimitives.ReadInt64BigEndian(buffer[RecordBatch.ProducerIdOffset..]),
            BinaryPrimitives.ReadInt16BigEndian(buffer[RecordBatch.ProducerEpochOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(buffer[RecordBatch.BaseSequenceOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(buffer[RecordBatch.RecordsCountOffset..]));
    }
}
