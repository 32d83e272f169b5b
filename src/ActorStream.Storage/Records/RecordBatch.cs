using System.Buffers.Binary;
using ActorStream.Storage.Compression;
using ActorStream.Storage.Errors;

namespace ActorStream.Storage.Records;

/// <summary>
/// Kafka's RecordBatch v2 (magic 2), byte for byte. All integers are big-endian.
/// <code>
/// baseOffset: int64
/// batchLength: int32              bytes after this field (so a batch is batchLength + 12 bytes)
/// partitionLeaderEpoch: int32
/// magic: int8                     2
/// crc: uint32                     CRC-32C over attributes .. end of batch
/// attributes: int16               bit 0-2 compression, 3 timestamp type, 4 transactional, 5 control, 6 delete horizon
/// lastOffsetDelta: int32
/// baseTimestamp: int64
/// maxTimestamp: int64
/// producerId: int64
/// producerEpoch: int16
/// baseSequence: int32
/// recordsCount: int32
/// records: [Record]               compressed as one block when the codec bits are set
/// </code>
/// The CRC starts after the partition leader epoch, so a broker assigns offsets and the leader epoch by
/// patching <c>baseOffset</c> and <c>partitionLeaderEpoch</c> in place without recomputing it.
/// </summary>
public static class RecordBatch
{
    public const byte CurrentMagic = 2;

    public const int BaseOffsetOffset = 0;
    public const int BaseOffsetLength = 8;
    public const int LengthOffset = BaseOffsetOffset + BaseOffsetLength;
    public const int LengthLength = 4;
    public const int PartitionLeaderEpochOffset = LengthOffset + LengthLength;
    public const int PartitionLeaderEpochLength = 4;
    public const int MagicOffset = PartitionLeaderEpochOffset + PartitionLeaderEpochLength;
    public const int MagicLength = 1;
    public const int CrcOffset = MagicOffset + MagicLength;
    public const int CrcLength = 4;
    public const int AttributesOffset = CrcOffset + CrcLength;
    public const int AttributesLength = 2;
    public const int LastOffsetDeltaOffset = AttributesOffset + AttributesLength;
    public const int LastOffsetDeltaLength = 4;
    public const int BaseTimestampOffset = LastOffsetDeltaOffset + LastOffsetDeltaLength;
    public const int BaseTimestampLength = 8;
    public const int MaxTimestampOffset = BaseTimestampOffset + BaseTimestampLength;
    public const int MaxTimestampLength = 8;
    public const int ProducerIdOffset = MaxTimestampOffset + MaxTimestampLength;
    public const int ProducerIdLength = 8;
    public const int ProducerEpochOffset = ProducerIdOffset + ProducerIdLength;
    public const int ProducerEpochLength = 2;
    public const int BaseSequenceOffset = ProducerEpochOffset + ProducerEpochLength;
    public const int BaseSequenceLength = 4;
    public const int RecordsCountOffset = BaseSequenceOffset + BaseSequenceLength;
    public const int RecordsCountLength = 4;
    public const int RecordsOffset = RecordsCountOffset + RecordsCountLength;

    /// <summary>Size of the batch header, 61 bytes: the smallest valid batch.</summary>
    public const int HeaderSize = RecordsOffset;

    /// <summary>baseOffset + batchLength: the bytes not counted by batchLength.</summary>
    public const int LogOverhead = LengthOffset + LengthLength;

    /// <summary>Bytes needed to learn a batch's offsets and size (through lastOffsetDelta).</summary>
    public const int OffsetsHeaderSize = LastOffsetDeltaOffset + LastOffsetDeltaLength;

    public const short CompressionCodecMask = 0x07;
    public const short TimestampTypeMask = 0x08;
    public const short TransactionalFlagMask = 0x10;
    public const short ControlFlagMask = 0x20;
    public const short DeleteHorizonFlagMask = 0x40;

    public const long NoProducerId = -1;
    public const short NoProducerEpoch = -1;
    public const int NoSequence = -1;
    public const int NoPartitionLeaderEpoch = -1;
    public const long NoTimestamp = -1;

    /// <summary>Writes <paramref name="baseOffset"/> into the batch header. The CRC stays valid.</summary>
    public static void SetBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch[BaseOffsetOffset..], baseOffset);

    /// <summary>Writes the partition leader epoch into the batch header. The CRC stays valid.</summary>
    public static void SetPartitionLeaderEpoch(Span<byte> batch, int epoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], epoch);

    /// <summary>The CRC-32C the header should carry, computed over attributes .. end.</summary>
    public static uint ComputeChecksum(ReadOnlySpan<byte> batch) => Crc32C.Compute(batch[AttributesOffset..]);

    /// <summary>
    /// Reads the size of the batch starting at <paramref name="buffer"/> (batchLength + 12), or -1 when fewer than
    /// 12 bytes are there. Does not validate.
    /// </summary>
    public static int PeekSize(ReadOnlySpan<byte> buffer) =>
        buffer.Length < LogOverhead ? -1 : BinaryPrimitives.ReadInt32BigEndian(buffer[LengthOffset..]) + LogOverhead;

    /// <summary>
    /// Checks the batch at the start of <paramref name="buffer"/>: length, magic, size limit, CRC and record count.
    /// Records are not decoded (nor decompressed). Returns the parsed header.
    /// </summary>
    /// <exception cref="CorruptRecordException">truncated, wrong magic, bad length or CRC mismatch</exception>
    /// <exception cref="RecordTooLargeException">larger than <paramref name="maxBatchSize"/></exception>
    /// <exception cref="InvalidRecordException">record count disagrees with lastOffsetDelta</exception>
    public static RecordBatchHeader Validate(ReadOnlySpan<byte> buffer, int maxBatchSize = int.MaxValue)
    {
        if (buffer.Length < HeaderSize)
        {
            throw new CorruptRecordException(
                $"Batch is truncated: {buffer.Length} bytes remain, a batch header needs {HeaderSize}");
        }

        var header = RecordBatchHeader.Read(buffer);
        if (header.Magic != CurrentMagic)
        {
            throw new CorruptRecordException($"Unsupported batch magic {header.Magic} at offset {header.BaseOffset}; only magic 2 (RecordBatch v2) is accepted");
        }

        if (header.BatchLength < HeaderSize - LogOverhead)
        {
            throw new CorruptRecordException($"Batch length {header.BatchLength} is smaller than the {HeaderSize - LogOverhead}-byte header");
        }

        if (header.SizeInBytes > maxBatchSize)
        {
            throw new RecordTooLargeException($"Batch of {header.SizeInBytes} bytes exceeds the limit of {maxBatchSize} bytes (max.message.bytes)");
        }

        if (header.SizeInBytes > buffer.Length)
        {
            throw new CorruptRecordException($"Batch is truncated: header says {header.SizeInBytes} bytes, {buffer.Length} remain");
        }

        var actual = ComputeChecksum(buffer[..header.SizeInBytes]);
        if (actual != header.Crc)
        {
            throw new CorruptRecordException($"Batch CRC mismatch: stored 0x{header.Crc:X8}, computed 0x{actual:X8}");
        }

        if (header.RecordCount <= 0 || header.LastOffsetDelta + 1 != header.RecordCount)
        {
            throw new InvalidRecordException($"Batch holds {header.RecordCount} records but its lastOffsetDelta is {header.LastOffsetDelta}");
        }

        if ((int)header.Compression > (int)CompressionType.Zstd)
        {
            throw new CorruptRecordException($"Unknown compression codec id {(int)header.Compression}");
        }

        return header;
    }
}
