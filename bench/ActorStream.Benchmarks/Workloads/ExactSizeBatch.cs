using System.Buffers.Binary;
using ActorStream.Storage.Records;

namespace ActorStream.Benchmarks.Workloads;

/// <summary>
/// Builds an uncompressed batch of exactly N bytes from <see cref="SampleRecords"/>-shaped records, so "16 KiB
/// batches" means 16384 bytes and both sides of a log benchmark move the same, round number of bytes.
/// </summary>
public static class ExactSizeBatch
{
    public static byte[] Build(int batchSize)
    {
        using var builder = new RecordBatchBuilder(initialCapacity: batchSize);
        var fullRecordSize = RecordSize(0, SampleRecords.ValueSize) + 8; // slack: later records have longer delta varints
        var value = SampleRecords.CreateValue(2 * fullRecordSize);
        Span<byte> key = stackalloc byte[SampleRecords.KeySize];

        // Full-size records until one more would leave too little room; one last record, its value trimmed, fills the rest.
        var index = 0;
        while (batchSize - builder.EstimatedSizeInBytes >= 2 * fullRecordSize)
        {
            Append(builder, key, index++, value.AsSpan(0, SampleRecords.ValueSize));
        }

        var remaining = batchSize - builder.EstimatedSizeInBytes;
        var lastValueLength = remaining;
        while (lastValueLength > 0 && RecordSize(index, lastValueLength) > remaining)
        {
            lastValueLength--;
        }

        if (RecordSize(index, lastValueLength) != remaining)
        {
            throw new InvalidOperationException($"Cannot fill a batch to exactly {batchSize} bytes");
        }

        Append(builder, key, index, value.AsSpan(0, lastValueLength));
        var batch = builder.Build();
        if (batch.Length != batchSize)
        {
            throw new InvalidOperationException($"Built a {batch.Length}-byte batch, wanted {batchSize}");
        }

        return batch;
    }

    private static void Append(RecordBatchBuilder builder, Span<byte> key, int index, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteInt64BigEndian(key, index);
        builder.Append(SampleRecords.BaseTimestamp + index, key, value);
    }

    /// <summary>Encoded size of record <paramref name="index"/>, length prefix included (layout in <see cref="RecordBatchBuilder"/>).</summary>
    private static int RecordSize(int index, int valueLength)
    {
        var body = 1
            + Varint.SizeOf((long)index)
            + Varint.SizeOf(index)
            + Varint.SizeOf(SampleRecords.KeySize) + SampleRecords.KeySize
            + Varint.SizeOf(valueLength) + valueLength
            + Varint.SizeOf(0);
        return Varint.SizeOf(body) + body;
    }
}
