namespace ActorStream.Process.Tests.Support;

/// <summary>How a <see cref="GroupMemberProcess"/> stopped, as the test that stopped it knows it.</summary>
public enum MemberEnd
{
    Running,
    Killed,
    Terminated,
}

/// <summary>
/// One <c>consume --group</c> child process of a churn test: its output (what the observer reads) plus how and when the
/// test ended it. <see cref="EndedAt"/> is taken after the exit was confirmed, so it is never earlier than the process's last
/// moment as a member.
/// </summary>
public sealed class GroupMemberProcess : IDisposable
{
    private GroupMemberProcess(string name, CliProcess process)
    {
        Name = name;
        Process = process;
    }

    public string Name { get; }

    public CliProcess Process { get; }

    public MemberEnd End { get; private set; } = MemberEnd.Running;

    public DateTime? EndedAt { get; private set; }

    /// <summary>Starts the consumer and waits for its first <c>assigned</c> line (it has joined the group).</summary>
    public static async Task<GroupMemberProcess> StartAsync(string name, string workingDirectory, TimeSpan timeout, params string[] args) =>
        new(name, await CliProcess.StartAsync(workingDirectory, " assigned ", timeout, args));

    /// <summary>kill -9 by PID (<see cref="CliProcess.Kill"/> is <see cref="System.Diagnostics.Process.Kill(bool)"/>: SIGKILL).</summary>
    public async Task KillAsync(TimeSpan timeout)
    {
        Process.Kill();
        using var cts = new CancellationTokenSource(timeout);
        await Process.ExitedAsync(cts.Token);
        EndedAt = DateTime.UtcNow;
        End = MemberEnd.Killed;
    }

    /// <summary>SIGTERM by PID: the command commits what it printed, revokes, leaves the group and exits.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        var exitCode = await Process.TerminateAsync(timeout);
        using var cts = new CancellationTokenSource(timeout);
        await Process.ExitedAsync(cts.Token);
        EndedAt = DateTime.UtcNow;
        End = MemberEnd.Terminated;
        return exitCode;
    }

    public GroupMemberTranscript Transcript(string topic) => GroupMemberTranscript.Parse(topic, Process.Stdout, Process.Stderr);

    public void Dispose() => Process.Dispose();
}
