namespace ActorStream.Broker.Hosting;

/// <summary>
/// Kafka's log dir lock: <c>&lt;data-dir&gt;/.lock</c> held open with <see cref="FileShare.None"/> for the node's life, so
/// a second node process on the same data dir refuses to start before it touches anything there. On Unix .NET takes an
/// advisory <c>flock(LOCK_EX)</c> for <see cref="FileShare.None"/>; the kernel drops it when the process dies, so a
/// node killed with SIGKILL leaves no stale lock behind (the file itself stays, and means nothing on its own).
/// </summary>
public sealed class DataDirLock : IDisposable
{
    public const string FileName = ".lock";

    private readonly FileStream _file;

    private DataDirLock(FileStream file) => _file = file;

    /// <summary>Creates the data dir if needed and takes its lock, or throws with a one-line message naming the dir.</summary>
    public static DataDirLock Acquire(string dataDir)
    {
        var fullPath = Path.GetFullPath(dataDir);
        Directory.CreateDirectory(fullPath);
        try
        {
            return new DataDirLock(new FileStream(Path.Combine(fullPath, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new DataDirLockedException(
                $"Failed to acquire lock on file {FileName} in {fullPath}: another ActorStream node process is using this data dir",
                e);
        }
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>The data dir is locked by another node process (see <see cref="DataDirLock"/>).</summary>
public sealed class DataDirLockedException(string message, Exception inner) : IOException(message, inner);
