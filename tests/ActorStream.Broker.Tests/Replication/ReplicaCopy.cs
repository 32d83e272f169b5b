using System.Text;
using ActorStream.Broker.Logs;
using ActorStream.Storage.Log;
using ActorStream.Storage.Records;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// Reads a node's copy of a partition while the node runs: the directory is copied first (the node keeps writing its
/// own files), and opening the copy recovers a torn tail like a crash would, so only whole batches are read.
/// </summary>
public static class ReplicaCopy
{
    public static IReadOnlyList<(long Offset, string Value)> Read(string nodeDataDir, string topic, int partition, string topicId)
    {
        var source = Path.Combine(nodeDataDir, "logs", LogManager.DirectoryName(topic, partition, topicId));
        var copy = Path.Combine(Path.GetTempPath(), "replica-copy-" + Guid.NewGuid().ToString("N"));
        try
        {
            if (!Directory.Exists(source))
            {
                return [];
            }

            Directory.CreateDirectory(copy);
            foreach (var file in Directory.GetFiles(source))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            using var log = PartitionLog.Open(copy);
            var values = new List<(long, string)>();
            for (var offset = log.LogStartOffset; offset < log.LogEndOffset;)
            {
                var bytes = log.Read(offset, 1024 * 1024).Records.ToArray();
                foreach (var batch in RecordBatchReader.ReadBatches(bytes))
                {
                    values.AddRange(batch.ReadRecords().Select(r => (r.Offset, Encoding.UTF8.GetString(r.Value!.Value.Span))));
                    offset = batch.Header.NextOffset;
                }
            }

            return values;
        }
        finally
        {
            if (Directory.Exists(copy))
            {
                Directory.Delete(copy, recursive: true);
            }
        }
    }
}
