namespace ActorStream.Storage.Records;

/// <summary>
/// Walks the batches of a buffer (a fetch response, a segment slice). A trailing partial batch, which Kafka
/// allows at the end of a fetch response, is skipped; anything else malformed throws.
/// </summary>
public static class RecordBatchReader
{
    /// <summary>Yields each complete batch; with <paramref name="verifyChecksums"/> (consumers' <c>check.crcs</c>) validates it.</summary>
    public static IEnumerable<RecordBatchView> ReadBatches(ReadOnlyMemory<byte> buffer, bool verifyChecksums = true)
    {
        var position = 0;
        while (buffer.Length - position >= RecordBatch.HeaderSize)
        {
            var rest = buffer[position..];
            var size = RecordBatch.PeekSize(rest.Span);
            if (size < RecordBatch.HeaderSize)
            {
                throw new Errors.CorruptRecordException($"Batch length {size - RecordBatch.LogOverhead} at byte {position} is smaller than a batch header");
            }

            if (size > rest.Length)
            {
                yield break;
            }

            var header = verifyChecksums ? RecordBatch.Validate(rest.Span) : RecordBatchHeader.Read(rest.Span);
            yield return new RecordBatchView(header, rest[..header.SizeInBytes]);
            position += header.SizeInBytes;
        }
    }

    /// <summary>Decodes every record of every complete batch, in offset order.</summary>
    public static IEnumerable<Record> ReadRecords(ReadOnlyMemory<byte> buffer, bool verifyChecksums = true)
    {
        foreach (var batch in ReadBatches(buffer, verifyChecksums))
        {
            foreach (var record in batch.ReadRecords())
            {
                yield return record;
            }
        }
    }
}
