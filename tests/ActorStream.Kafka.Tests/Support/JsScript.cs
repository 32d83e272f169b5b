using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>
/// One of the npm project's scripts (<c>tests/ActorStream.Kafka.Tests/js</c>: kafkajs, NestJS) running on the machine's
/// <c>node</c>. The spec passes one JSON argument; the script answers with one JSON object per stdout line
/// (<c>{"event": ...}</c>), which <see cref="Events"/> collects as they come; other stdout lines and all of stderr (the
/// clients' logs) are kept for failure messages. Closing stdin asks a long-running script to stop cleanly; one that
/// does not is killed by PID. The packages come from <c>npm ci</c> (test.sh runs it), never from this class.
/// </summary>
public sealed class JsScript : IAsyncDisposable
{
    /// <summary>What a one-shot script, a stop, or an awaited event may take: node's start and kafkajs's retries on two loaded cores.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static readonly JsonSerializerOptions ArgumentOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly Process _process;
    private readonly string _name;
    private readonly List<JsonElement> _events = [];
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _otherStdout = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private JsScript(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    /// <summary>The npm project: <c>package.json</c>, the lockfile, the scripts and (after <c>npm ci</c>) <c>node_modules</c>.</summary>
    public static string ProjectDirectory => Path.Combine(CliProcess.RepoRoot, "tests", "ActorStream.Kafka.Tests", "js");

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every event line so far, in order.</summary>
    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<JsonElement> EventsNamed(string name) => [.. Events.Where(e => e.GetProperty("event").GetString() == name)];

    /// <summary>Starts <c>node SCRIPT ARGUMENT-AS-JSON</c> in the npm project (camelCase property names).</summary>
    public static JsScript Start(string script, object argument)
    {
        if (!Directory.Exists(Path.Combine(ProjectDirectory, "node_modules", "kafkajs")))
        {
            throw new InvalidOperationException($"The npm packages are not installed: run `npm ci` in {ProjectDirectory} (test.sh does)");
        }

        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = ProjectDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(JsonSerializer.Serialize(argument, ArgumentOptions));
        info.Environment["KAFKAJS_NO_PARTITIONER_WARNING"] = "1";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var js = new JsScript(process, script);
        process.OutputDataReceived += (_, e) => js.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => js.OnStderr(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("node is not on PATH (the tests run the machine's node 20+)", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return js;
    }

    /// <summary>Runs a one-shot script to its end and returns its <c>result</c> event; fails with its output unless it exits 0 with one.</summary>
    public static async Task<JsonElement> RunAsync(string script, object argument, ITestOutputHelper output, TimeSpan? timeout = null)
    {
        await using var js = Start(script, argument);
        await js.WaitForExitAsync(timeout ?? Timeout);
        js.WriteLogTo(output);
        var result = js.EventsNamed("result");
        Assert.True(
            js._process.ExitCode == 0 && result.Count == 1,
            $"node {script} exited {js._process.ExitCode} with {result.Count} result lines: {js.Describe()}");
        return result[0];
    }

    /// <summary>Waits until some event satisfies <paramref name="predicate"/> and returns the first that does.</summary>
    public Task<JsonElement> WaitForEventAsync(string name, Func<JsonElement, bool> predicate, string what, TimeSpan? timeout = null) =>
        WaitForAsync<JsonElement>(
            events =>
            {
                foreach (var e in events)
                {
                    if (e.GetProperty("event").GetString() == name && predicate(e))
                    {
                        return e;
                    }
                }

                return null;
            },
            what,
            timeout);

    /// <summary>Waits until <paramref name="condition"/> over the events so far returns a value; fails on the script's exit or the timeout.</summary>
    public async Task<T> WaitForAsync<T>(Func<IReadOnlyList<JsonElement>, T?> condition, string what, TimeSpan? timeout = null)
        where T : struct
    {
        var limit = timeout ?? Timeout;
        using var cts = new CancellationTokenSource(limit);
        while (true)
        {
            Task changed;
            lock (_events)
            {
                changed = _changed.Task;
            }

            if (condition(Events) is { } value)
            {
                return value;
            }

            if (_stdoutClosed.Task.IsCompleted)
            {
                throw new InvalidOperationException($"node {_name} ended before {what}: {Describe()}");
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"node {_name}: no {what} within {limit}: {Describe()}");
            }
        }
    }

    /// <summary>Polls <paramref name="probe"/> (over several scripts' events) until it returns a value; the timeout names <paramref name="what"/>.</summary>
    public static async Task<T> UntilAsync<T>(Func<T?> probe, TimeSpan timeout, Func<string> what)
        where T : struct
    {
        T? value = null;
        try
        {
            await Eventually.TrueAsync(() => (value = probe()) is not null, timeout, "a script's events");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}: {what()}", e);
        }

        return value!.Value;
    }

    /// <summary>Closes stdin (the script's signal to disconnect cleanly) and waits for its exit, which must be 0.</summary>
    public async Task StopAsync(ITestOutputHelper output, TimeSpan? timeout = null)
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It exited (its stdin pipe is gone) before we asked.
        }

        await WaitForExitAsync(timeout ?? Timeout);
        WriteLogTo(output);
        Assert.True(_process.ExitCode == 0, $"node {_name} exited {_process.ExitCode}: {Describe()}");
    }

    /// <summary>The script's output for a failure message: its events and the end of its logs.</summary>
    public string Describe()
    {
        static string Tail(string text) => text.Length <= 8000 ? text : "..." + text[^8000..];
        string stderr, other;
        lock (_stderr)
        {
            stderr = _stderr.ToString();
        }

        lock (_otherStdout)
        {
            other = _otherStdout.ToString();
        }

        var events = string.Join('\n', Events.Select(e => e.GetRawText()).TakeLast(40));
        return $"\n--- node {_name} (pid {_process.Id}) events:\n{Tail(events)}\n--- other stdout:\n{Tail(other)}\n--- stderr:\n{Tail(stderr)}";
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    private async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"node {_name} did not finish within {timeout} (killed pid {_process.Id}): {Describe()}");
        }
    }

    private void WriteLogTo(ITestOutputHelper output)
    {
        lock (_stderr)
        {
            output.WriteLine($"node {_name} (pid {_process.Id}) stderr:\n{_stderr}");
        }
    }

    private void OnStdout(string? line)
    {
        if (line is null)
        {
            _stdoutClosed.TrySetResult();
            Signal();
            return;
        }

        if (line.StartsWith("{\"event\":", StringComparison.Ordinal))
        {
            var element = JsonDocument.Parse(line).RootElement.Clone();
            lock (_events)
            {
                _events.Add(element);
            }
        }
        else
        {
            lock (_otherStdout)
            {
                _otherStdout.AppendLine(line);
            }
        }

        Signal();
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            _stderrClosed.TrySetResult();
            return;
        }

        lock (_stderr)
        {
            _stderr.AppendLine(line);
        }
    }

    private void Signal()
    {
        TaskCompletionSource changed;
        lock (_events)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
