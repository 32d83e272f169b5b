using System.ComponentModel;
using System.Diagnostics;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>What a <c>kcat</c> run ended with.</summary>
public sealed record KcatResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout's lines without the trailing empty one.</summary>
    public IReadOnlyList<string> Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// Runs Debian's <c>kcat</c> (1.7.1 on librdkafka 2.0.2; test.sh installs it) with arguments and optional standard
/// input, bounded by a timeout after which the process is killed by PID.
/// </summary>
public static class Kcat
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs <c>kcat ARGS</c>; <paramref name="stdin"/> is written and closed (none: closed at once).</summary>
    public static async Task<KcatResult> RunAsync(IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null)
    {
        var args = arguments.ToList();
        var info = new ProcessStartInfo("kcat")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("kcat is not installed (test.sh installs it: apt-get install -y kcat)", e);
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var limit = timeout ?? DefaultTimeout;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"kcat {string.Join(' ', args)} did not finish in {limit} (killed pid {process.Id}): {await stderr}\n{await stdout}");
        }

        return new KcatResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<KcatResult> RunAsync(params string[] arguments) => RunAsync(arguments, null, null);

    /// <summary>Like <see cref="RunAsync(IEnumerable{string}, string?, TimeSpan?)"/>, failing unless kcat exits 0.</summary>
    public static async Task<KcatResult> RunOkAsync(IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null)
    {
        var args = arguments.ToList();
        var result = await RunAsync(args, stdin, timeout);
        Assert.True(result.ExitCode == 0, $"kcat {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}");
        return result;
    }
}
