using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ActorStream.Kafka.Tests.Faults;

/// <summary>
/// <c>kcat -G GROUP TOPIC</c> as a long-running child process: librdkafka's balanced consumer (a real group member in a
/// process of its own), printing <c>partition offset value</c> per record, unbuffered. <see cref="Kill"/> sends SIGKILL
/// by PID: no LeaveGroup, no last commit, the connection simply drops.
/// </summary>
public sealed class KcatGroupConsumer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private KcatGroupConsumer(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>kcat -b BOOTSTRAP -G GROUP TOPIC</c> with these <c>-X</c> properties.</summary>
    public static KcatGroupConsumer Start(string bootstrap, string group, string topic, IReadOnlyDictionary<string, string> properties)
    {
        var info = new ProcessStartInfo("kcat")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        List<string> args = ["-b", bootstrap, "-G", group, "-u", "-f", "%p %o %s\\n"];
        foreach (var (name, value) in properties)
        {
            args.Add("-X");
            args.Add($"{name}={value}");
        }

        args.Add(topic);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info };
        var consumer = new KcatGroupConsumer(process);
        process.OutputDataReceived += (_, e) => Append(consumer._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(consumer._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return consumer;
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The records printed so far: (partition, offset, value).</summary>
    public IReadOnlyList<(int Partition, long Offset, string Value)> Records
    {
        get
        {
            string text;
            lock (_stdout)
            {
                text = _stdout.ToString();
            }

            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' ', 3))
                .Where(parts => parts.Length == 3)
                .Select(parts => (int.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2].TrimEnd('\r')))
                .ToList();
        }
    }

    /// <summary>SIGKILL by PID; returns once the process is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.Append(line).Append('\n');
        }
    }

    public override string ToString() => $"kcat -G (pid {_process.Id}{(HasExited ? ", exited" : "")}): {Records.Count} records; stderr: {Stderr}";

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
