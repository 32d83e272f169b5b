using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ActorStream.Bench.Processes;

/// <summary>
/// A server the suite starts (broker node, nats-server, redis-server): its output goes to a log file, its PID to
/// <c>pids</c> in the work directory (bench/run.sh's exit trap stops what is left there), and it is stopped by PID:
/// SIGTERM, then SIGKILL after 15 s.
/// </summary>
internal sealed partial class ChildProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];

    private ChildProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public int Pid => _process.Id;

    public string Name { get; private init; } = "";

    public string LogPath { get; private init; } = "";

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public static ChildProcess Start(string name, string file, IEnumerable<string> arguments, string workDirectory)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var logPath = Path.Combine(workDirectory, $"{name}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var child = new ChildProcess(process, log) { Name = name, LogPath = logPath };
        File.AppendAllText(Path.Combine(workDirectory, "pids"), $"{process.Id}\n");
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _lines.Add(line);
            _log.WriteLine(line);
        }
    }

    /// <summary>The first output line that <paramref name="match"/> accepts.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            lock (_lock)
            {
                if (_lines.FirstOrDefault(match) is { } line)
                {
                    return line;
                }
            }

            ThrowIfExited();
            await Task.Delay(50).ConfigureAwait(false);
        }

        throw new TimeoutException($"{Name} printed no ready line within {timeout.TotalSeconds:F0} s: {Tail()}");
    }

    /// <summary>Waits until the process accepts TCP connections on <paramref name="port"/>.</summary>
    public async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            ThrowIfExited();
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }

        throw new TimeoutException($"{Name} did not listen on port {port} within {timeout.TotalSeconds:F0} s: {Tail()}");
    }

    private void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}: {Tail()}");
        }
    }

    private string Tail()
    {
        lock (_lock)
        {
            return string.Join(Environment.NewLine, _lines.TakeLast(20));
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, SigTerm);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        _process.Dispose();
        lock (_lock)
        {
            _log.Dispose();
        }
    }
}
