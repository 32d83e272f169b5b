using System.Diagnostics;

namespace ActorStream.Bench.Limits;

/// <summary>
/// The disk path's ceiling: a sequential <see cref="FileStream"/> append of record bytes in 256 KiB writes (a
/// throughput-mode batch), into the page cache with no fsync, as a broker's log append with acks=1 is.
/// </summary>
internal static class FileAppendLimit
{
    private const int WriteSize = 256 * 1024;

    /// <summary>Bytes per second appending <paramref name="bytes"/> (rounded up to whole writes) to a new file in <paramref name="directory"/>.</summary>
    public static double BytesPerSecond(string directory, long bytes, byte[] record)
    {
        var chunk = new byte[WriteSize];
        for (var at = 0; at < chunk.Length; at += record.Length)
        {
            record.AsSpan(0, Math.Min(record.Length, chunk.Length - at)).CopyTo(chunk.AsSpan(at));
        }

        var path = Path.Combine(directory, $"file-append-limit-{Guid.NewGuid():N}.log");
        try
        {
            var writes = (bytes + WriteSize - 1) / WriteSize;
            var clock = Stopwatch.StartNew();
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                for (var i = 0L; i < writes; i++)
                {
                    file.Write(chunk);
                }
            }

            return writes * WriteSize / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
