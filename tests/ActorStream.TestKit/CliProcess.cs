using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ActorStream.TestKit;

/// <summary>
/// Runs the real <c>actorstream</c> command (the CLI's build output) as a child process. Processes are tracked and
/// killed by PID, never by name.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _readyMarker;

    private CliProcess(IEnumerable<string> args, string workingDirectory, string? readyMarker, string? stdin, IReadOnlyDictionary<string, string>? environment = null)
    {
        _readyMarker = readyMarker;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(CliDll);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        _process = new System.Diagnostics.Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(_stderr, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (stdin is not null)
        {
            _process.StandardInput.Write(stdin);
        }

        _process.StandardInput.Close();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Completes when the process has exited and everything it wrote to stdout and stderr has been read.</summary>
    public Task ExitedAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
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

    /// <summary>The CLI's build output, next to this test assembly's configuration (Debug or Release).</summary>
    public static string CliDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(RepoRoot, "src", "ActorStream.Cli", "bin", configuration, "net10.0", "actorstream.dll");
        }
    }

    /// <summary>The repository's root directory (where <c>ActorStream.sln</c> is).</summary>
    public static string RepoRoot
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "ActorStream.sln")))
            {
                root = root.Parent;
            }

            return root!.FullName;
        }
    }

    /// <summary>
    /// The port a node process bound, from its ready line (<c>... is up: bootstrap HOST:PORT, ...</c>): a node started with
    /// <c>--port 0</c> advertises the port it got.
    /// </summary>
    public int BoundPort
    {
        get
        {
            var match = Regex.Match(Stdout, @"is up: bootstrap [^\s,]+:(\d+)");
            return match.Success
                ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"No ready line with a bootstrap address in: {Stdout}");
        }
    }

    /// <summary>Starts a long-running command and waits until it prints <paramref name="readyMarker"/>.</summary>
    public static Task<CliProcess> StartAsync(string workingDirectory, string readyMarker, TimeSpan timeout, params string[] args) =>
        StartAsync(workingDirectory, readyMarker, timeout, environment: null, args);

    /// <summary>Like <see cref="StartAsync(string, string, TimeSpan, string[])"/>, with extra environment variables.</summary>
    public static async Task<CliProcess> StartAsync(string workingDirectory, string readyMarker, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var process = new CliProcess(args, workingDirectory, readyMarker, null, environment);
        var exited = process._process.WaitForExitAsync();
        var done = await Task.WhenAny(process._ready.Task, exited, Task.Delay(timeout)).ConfigureAwait(false);
        if (done != process._ready.Task)
        {
            process.Kill();
            throw new InvalidOperationException($"actorstream {string.Join(' ', args)} did not become ready: {process.Stderr}\n{process.Stdout}");
        }

        return process;
    }

    /// <summary>Runs a command that must succeed (exit code 0, else the exception names its stderr) and returns its stdout.</summary>
    public static async Task<string> RunOkAsync(string workingDirectory, TimeSpan timeout, string? stdin, params string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync(workingDirectory, timeout, stdin, args).ConfigureAwait(false);
        return exit == 0 ? stdout : throw new InvalidOperationException($"actorstream {string.Join(' ', args)} exited {exit}: {stderr}");
    }

    /// <summary>Runs a command to completion with <paramref name="stdin"/> and returns (exit code, stdout, stderr).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, TimeSpan timeout, string? stdin, params string[] args)
    {
        using var process = new CliProcess(args, workingDirectory, null, stdin ?? "");
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process._process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"actorstream {string.Join(' ', args)} did not finish in {timeout}: {process.Stderr}");
        }

        process._process.WaitForExit();
        return (process._process.ExitCode, process.Stdout, process.Stderr);
    }

    private void OnLine(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }

        if (_readyMarker is not null && line.Contains(_readyMarker, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    /// <summary>SIGKILL by PID: a crash, not a shutdown.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM by PID: the clean shutdown path.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync().ConfigureAwait(false);
            using var cts = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
