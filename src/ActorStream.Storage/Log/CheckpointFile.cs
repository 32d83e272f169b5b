using System.Globalization;

namespace ActorStream.Storage.Log;

/// <summary>A one-number file written atomically (temp file, fsync, rename), like Kafka's checkpoint files.</summary>
internal static class CheckpointFile
{
    public static void Write(string path, long value)
    {
        var tmp = path + LogFileUtils.TempSuffix;
        try
        {
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(System.Text.Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture) + "\n"));
                stream.Flush(flushToDisk: true);
            }

            File.Move(tmp, path, overwrite: true);
        }
        catch (IOException e)
        {
            throw new Errors.KafkaStorageException($"Cannot write checkpoint {path}: {e.Message}", e);
        }
    }

    /// <summary>The stored number, or null when the file is missing or unreadable (a crash mid-write leaves the old one).</summary>
    public static long? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var text = File.ReadAllText(path).Trim();
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
