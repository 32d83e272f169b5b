using System.Text;
using ActorStream.Storage.Buffers;
using ActorStream.Storage.Compression;
using ActorStream.Storage.Errors;

namespace ActorStream.Storage.Records;

/// <summary>One batch inside a buffer: its parsed header and its bytes. Records are decoded only on request.</summary>
public readonly record struct RecordBatchView(RecordBatchHeader Header, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>
    /// Decodes the records (the consumer side), decompressing at most <paramref name="maxDecompressedBytes"/>.
    /// Keys and values are slices of the batch or of its decompressed payload, not copies.
    /// </summary>
    public IReadOnlyList<Record> ReadRecords(int maxDecompressedBytes = CompressionCodec.DefaultMaxDecompressedBytes)
    {
        var header = Header;
        ReadOnlyMemory<byte> payload = Bytes[RecordBatch.RecordsOffset..];
        if (header.Compression != CompressionType.None)
        {
            using var inflated = new PooledBufferWriter(Math.Min(payload.Length * 4, maxDecompressedBytes));
            CompressionCodec.For(header.Compression).Decompress(payload, inflated, maxDecompressedBytes);
            payload = inflated.ToArray();
        }

        var records = new Record[header.RecordCount];
        var span = payload.Span;
        var position = 0;
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = ReadRecord(header, payload, span, ref position);
        }

        if (position != span.Length)
        {
            throw new CorruptRecordException($"Batch at offset {header.BaseOffset} has {span.Length - position} bytes after its {header.RecordCount} records");
        }

        return records;
    }

    private static Record ReadRecord(in RecordBatchHeader header, ReadOnlyMemory<byte> payload, ReadOnlySpan<byte> span, ref int position)
    {
        var length = Varint.ReadInt(span, ref position);
        if (length < 0 || length > span.Length - position)
        {
            throw new CorruptRecordException($"Record length {length} in batch at offset {header.BaseOffset} runs past the batch");
        }

        var end = position + length;
        var body = span[..end];
        position++; // attributes
        var timestampDelta = Varint.ReadLong(body, ref position);
        var offsetDelta = Varint.ReadInt(body, ref position);
        var key = ReadBytes(payload, body, ref position, header);
        var value = ReadBytes(payload, body, ref position, header);
        var headerCount = Varint.ReadInt(body, ref position);
        if (headerCount < 0)
        {
            throw new CorruptRecordException($"Negative header count in batch at offset {header.BaseOffset}");
        }

        IReadOnlyList<RecordHeader> headers = [];
        if (headerCount > 0)
        {
            var list = new RecordHeader[headerCount];
            for (var h = 0; h < headerCount; h++)
            {
                var keyLength = Varint.ReadInt(body, ref position);
                if (keyLength < 0 || keyLength > body.Length - position)
                {
                    throw new CorruptRecordException($"Invalid header key length {keyLength} in batch at offset {header.BaseOffset}");
                }

                var headerKey = Encoding.UTF8.GetString(body.Slice(position, keyLength));
                position += keyLength;
                list[h] = new RecordHeader(headerKey, ReadBytes(payload, body, ref position, header)?.ToArray());
            }

            headers = list;
        }

        if (position != end)
        {
            throw new CorruptRecordException($"Record in batch at offset {header.BaseOffset} is {length} bytes long but its fields end at {position - end + length}");
        }

        var timestamp = header.TimestampType == TimestampType.LogAppendTime ? header.MaxTimestamp : header.BaseTimestamp + timestampDelta;
        return new Record(header.BaseOffset + offsetDelta, timestamp, header.TimestampType, key, value, headers);
    }

    private static ReadOnlyMemory<byte>? ReadBytes(ReadOnlyMemory<byte> payload, ReadOnlySpan<byte> body, ref int position, in RecordBatchHeader header)
    {
        var length = Varint.ReadInt(body, ref position);
        if (length == -1)
        {
            return null;
        }

        if (length < -1 || length > body.Length - position)
        {
            throw new CorruptRecordException($"Invalid field length {length} in batch at offset {header.BaseOffset}");
        }

        var slice = payload.Slice(position, length);
        position += length;
        return slice;
    }
}
