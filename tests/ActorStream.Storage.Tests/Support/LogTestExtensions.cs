using ActorStream.Storage.Log;
using ActorStream.Storage.Records;
using Record = ActorStream.Storage.Records.Record;

namespace ActorStream.Storage.Tests.Support;

public static class LogTestExtensions
{
    /// <summary>Appends a fresh batch of <paramref name="records"/> records as leader.</summary>
    public static LogAppendInfo AppendRecords(this PartitionLog log, int records, int valueSize = 10, long timestamp = 1_000, int leaderEpoch = 0, int firstValue = 0) =>
        log.Append(TestBatches.Create(records, valueSize, timestamp, firstValue: firstValue), leaderEpoch);

    /// <summary>Reads every record from <paramref name="from"/> to the log end, batch range by batch range.</summary>
    public static List<Record> ReadAll(this PartitionLog log, long from, int maxBytes = 64 * 1024)
    {
        var records = new List<Record>();
        var offset = from;
        while (offset < log.LogEndOffset)
        {
            var info = log.Read(offset, maxBytes);
            Assert.False(info.Records.IsEmpty, $"read at {offset} returned nothing below the log end {log.LogEndOffset}");
            records.AddRange(RecordBatchReader.ReadRecords(info.Records.ToArray()).Where(r => r.Offset >= offset));
            offset = info.Records.LastOffset + 1;
        }

        return records;
    }
}
