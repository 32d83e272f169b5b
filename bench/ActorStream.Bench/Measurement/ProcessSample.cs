using System.Globalization;
using System.Runtime.InteropServices;

namespace ActorStream.Bench.Measurement;

/// <summary>
/// A broker process's CPU time (utime + stime of /proc/PID/stat) and peak resident set (VmHWM of /proc/PID/status).
/// <see cref="ResetPeak"/> writes 5 to /proc/PID/clear_refs (root), so each workload's peak is its own.
/// </summary>
internal static partial class ProcessSample
{
    private const int ClockTicksName = 2; // _SC_CLK_TCK on Linux
    private static readonly double ClockTicksPerSecond = Math.Max(1, SysConf(ClockTicksName));

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);

    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) / ClockTicksPerSecond;
    }

    public static long PeakRssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>Resets the peak to the current RSS; false where the kernel or permissions refuse.</summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
