using System.Buffers.Binary;
using System.Text;
using ActorStream.Storage.Buffers;
using ActorStream.Storage.Compression;

namespace ActorStream.Storage.Records;

/// <summary>
/// Encodes records into one RecordBatch v2 (the producer side). Records are written straight into a pooled
/// buffer behind a reserved 61-byte header; <see cref="Build"/> compresses the records section if asked, fills in
/// the header and the CRC, and copies the batch out once. Not thread-safe; reusable after <see cref="Reset"/>.
/// </summary>
/// <remarks>
/// A record, inside the records section:
/// <code>
/// length: varint  attributes: int8  timestampDelta: varlong  offsetDelta: varint
/// keyLength: varint (-1 = null)  key  valueLength: varint (-1 = null)  value
/// headersCount: varint  [headerKeyLength: varint  headerKey (UTF-8)  headerValueLength: varint (-1 = null)  value]
/// </code>
/// </remarks>
public sealed class RecordBatchBuilder : IDisposable
{
    private readonly PooledBufferWriter _records;
    private PooledBufferWriter? _compressed;
    private int _count;
    private long _baseTimestamp;
    private long _maxTimestamp = RecordBatch.NoTimestamp;

    public RecordBatchBuilder(
        CompressionType compression = CompressionType.None,
        long producerId = RecordBatch.NoProducerId,
        short producerEpoch = RecordBatch.NoProducerEpoch,
        int baseSequence = RecordBatch.NoSequence,
        bool isTransactional = false,
        int initialCapacity = 16 * 1024)
    {
        Compression = compression;
        ProducerId = producerId;
        ProducerEpoch = producerEpoch;
        BaseSequence = baseSequence;
        IsTransactional = isTransactional;
        _records = new PooledBufferWriter(initialCapacity + RecordBatch.HeaderSize);
        _records.Advance(RecordBatch.HeaderSize);
    }

    public CompressionType Compression { get; }
    public long ProducerId { get; private set; }
    public short ProducerEpoch { get; private set; }
    public int BaseSequence { get; private set; }
    public bool IsTransactional { get; }
    public int RecordCount => _count;

    /// <summary>Header plus uncompressed records: an upper bound for <c>batch.size</c> checks.</summary>
    public int EstimatedSizeInBytes => _records.WrittenCount;

    /// <summary>Sets the idempotent producer fields (e.g. when the producer id arrives after records were added).</summary>
    public void SetProducerState(long producerId, short producerEpoch, int baseSequence)
    {
        ProducerId = producerId;
        ProducerEpoch = producerEpoch;
        BaseSequence = baseSequence;
    }

    /// <summary>Bytes a record with these sizes adds (its length prefix included); -1 means null.</summary>
    public static int EstimateRecordSize(int keyLength, int valueLength, int headerBytes = 0) =>
        Varint.MaxVarintBytes + 1 + Varint.MaxVarlongBytes + Varint.MaxVarintBytes
        + Varint.MaxVarintBytes + Math.Max(keyLength, 0) + Varint.MaxVarintBytes + Math.Max(valueLength, 0)
        + Varint.MaxVarintBytes + headerBytes;

    /// <summary>Appends a record with a non-null key and value and no headers (the hot path).</summary>
    public void Append(long timestamp, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
        AppendCore(timestamp, key, key.Length, value, value.Length, null);

    /// <summary>Appends a record; a null key or value is encoded as length -1.</summary>
    public void Append(long timestamp, byte[]? key, byte[]? value, IReadOnlyList<RecordHeader>? headers = null) =>
        AppendCore(timestamp, key, key?.Length ?? -1, value, value?.Length ?? -1, headers);

    /// <summary>Appends a record; a null key or value is encoded as length -1.</summary>
    public void Append(long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null)
    {
        var k = key.GetValueOrDefault().Span;
        var v = value.GetValueOrDefault().Span;
        AppendCore(timestamp, k, key.HasValue ? k.Length : -1, v, value.HasValue ? v.Length : -1, headers);
    }

    private void AppendCore(long timestamp, ReadOnlySpan<byte> key, int keyLength, ReadOnlySpan<byte> value, int valueLength, IReadOnlyList<RecordHeader>? headers)
    {
        if (_count == 0)
        {
            _baseTimestamp = timestamp;
        }

        if (timestamp > _maxTimestamp)
        {
            _maxTimestamp = timestamp;
        }

        var timestampDelta = timestamp - _baseTimestamp;
        var offsetDelta = _count;
        var headersSize = headers is null ? 0 : HeadersSize(headers);
        var bodySize = 1
            + Varint.SizeOf(timestampDelta)
            + Varint.SizeOf(offsetDelta)
            + Varint.SizeOf(keyLength) + Math.Max(keyLength, 0)
            + Varint.SizeOf(valueLength) + Math.Max(valueLength, 0)
            + Varint.SizeOf(headers?.Count ?? 0) + headersSize;

        var span = _records.GetSpan(Varint.MaxVarintBytes + bodySize);
        var p = Varint.Write(span, bodySize);
        span[p++] = 0; // record attributes: unused
        p += Varint.Write(span[p..], timestampDelta);
        p += Varint.Write(span[p..], offsetDelta);
        p += Varint.Write(span[p..], keyLength);
        if (keyLength > 0)
        {
            key.CopyTo(span[p..]);
            p += keyLength;
        }

        p += Varint.Write(span[p..], valueLength);
        if (valueLength > 0)
        {
            value.CopyTo(span[p..]);
            p += valueLength;
        }

        p += Varint.Write(span[p..], headers?.Count ?? 0);
        if (headers is not null)
        {
            p += WriteHeaders(span[p..], headers);
        }

        _records.Advance(p);
        _count++;
    }

    private static int HeadersSize(IReadOnlyList<RecordHeader> headers)
    {
        var size = 0;
        foreach (var header in headers)
        {
            var keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            var valueLength = header.Value?.Length ?? -1;
            size += Varint.SizeOf(keyBytes) + keyBytes + Varint.SizeOf(valueLength) + Math.Max(valueLength, 0);
        }

        return size;
    }

    private static int WriteHeaders(Span<byte> span, IReadOnlyList<RecordHeader> headers)
    {
        var p = 0;
        foreach (var header in headers)
        {
            p += Varint.Write(span[p..], Encoding.UTF8.GetByteCount(header.Key));
            p += Encoding.UTF8.GetBytes(header.Key, span[p..]);
            if (header.Value is { } value)
            {
                p += Varint.Write(span[p..], value.Length);
                value.CopyTo(span[p..]);
                p += value.Length;
            }
            else
            {
                p += Varint.Write(span[p..], -1);
            }
        }

        return p;
    }

    /// <summary>Encodes the batch (base offset 0, no leader epoch) into a new exact-size array.</summary>
    public byte[] Build() => BuildSpan().ToArray();

    /// <summary>Encodes the batch and appends it to <paramref name="destination"/>.</summary>
    public void WriteTo(PooledBufferWriter destination) => destination.Write(BuildSpan());

    private ReadOnlySpan<byte> BuildSpan()
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("A record batch needs at least one record");
        }

        Span<byte> batch;
        if (Compression == CompressionType.None)
        {
            batch = _records.WrittenSpanMutable;
        }
        else
        {
            _compressed ??= new PooledBufferWriter(_records.WrittenCount);
            _compressed.Clear();
            _compressed.Advance(RecordBatch.HeaderSize);
            CompressionCodec.For(Compression).Compress(_records.WrittenSpan[RecordBatch.HeaderSize..], _compressed);
            batch = _compressed.WrittenSpanMutable;
        }

        WriteHeader(batch);
        return batch;
    }

    private void WriteHeader(Span<byte> batch)
    {
        var attributes = (short)((int)Compression | (IsTransactional ? RecordBatch.TransactionalFlagMask : 0));
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatch.BaseOffsetOffset..], 0);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatch.LengthOffset..], batch.Length - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatch.PartitionLeaderEpochOffset..], RecordBatch.NoPartitionLeaderEpoch);
        batch[RecordBatch.MagicOffset] = RecordBatch.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatch.AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatch.LastOffsetDeltaOffset..], _count - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatch.BaseTimestampOffset..], _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatch.MaxTimestampOffset..], _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatch.ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatch.ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatch.BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatch.RecordsCountOffset..], _count);
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatch.CrcOffset..], RecordBatch.ComputeChecksum(batch));
    }

    /// <summary>Empties the builder for the next batch, keeping its buffers.</summary>
    public void Reset()
    {
        _records.Clear();
        _records.Advance(RecordBatch.HeaderSize);
        _count = 0;
        _maxTimestamp = RecordBatch.NoTimestamp;
    }

    public void Dispose()
    {
        _records.Dispose();
        _compressed?.Dispose();
    }
}
