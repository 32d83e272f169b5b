using System.Globalization;

namespace ActorStream.Storage.Log;

/// <summary>The only place that knows the file names of a partition directory.</summary>
public static class LogFileUtils
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    public const string DeletedSuffix = ".deleted";
    public const string TempSuffix = ".tmp";

    /// <summary>Written on clean close, removed on open: its absence at open means a crash.</summary>
    public const string CleanShutdownFile = ".clean-shutdown";

    /// <summary>Offset up to which every segment is known to be flushed and valid; recovery starts after it.</summary>
    public const string RecoveryPointFile = "recovery-point";

    /// <summary>The log start offset, which <c>DeleteRecordsBefore</c> may move into the middle of a segment.</summary>
    public const string LogStartOffsetFile = "log-start-offset";

    /// <summary>The 20-digit, zero-padded base offset Kafka uses as segment file name.</summary>
    public static string FileNamePrefix(long offset) => offset.ToString("D20", CultureInfo.InvariantCulture);

    public static string LogFile(string directory, long baseOffset) => Path.Combine(directory, FileNamePrefix(baseOffset) + LogSuffix);

    public static string OffsetIndexFile(string directory, long baseOffset) => Path.Combine(directory, FileNamePrefix(baseOffset) + IndexSuffix);

    public static string TimeIndexFile(string directory, long baseOffset) => Path.Combine(directory, FileNamePrefix(baseOffset) + TimeIndexSuffix);

    /// <summary>Parses the base offset from a segment file name, or null if the name is not one of ours.</summary>
    public static long? OffsetFromFileName(string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        return stem.Length == 20 && long.TryParse(stem, NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : null;
    }
}
