using System.Diagnostics;
using System.Globalization;
using ActorStream.Process.Tests.Support;
using ActorStream.TestKit;
using Xunit.Abstractions;

namespace ActorStream.Process.Tests;

/// <summary>
/// Consumer-group churn with real <c>consume --group</c> processes: members join, leave (SIGTERM) and crash (SIGKILL by PID)
/// while records arrive. <see cref="GroupChurnObserver"/>, reading only what each process printed plus the kill and exit
/// times, checks that no partition is ever held by two members at once, that every partition ends up held by exactly one
/// live member, and that nothing is skipped (at-least-once: duplicates only after the last commit).
/// </summary>
public sealed class ConsumerGroupChurnProcessSpec(ITestOutputHelper output) : IDisposable
{
    private const string Topic = "churn";
    private const string Group = "churn-group";
    private const int Partitions = 6;
    private const int RecordsPerRound = 60;
    private const int MaxMembers = 4;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ConditionTimeout = TimeSpan.FromSeconds(60);

    private readonly string _dir = CreateDirectory();
    private readonly List<CliProcess> _nodes = [];
    private readonly List<GroupMemberProcess> _members = [];
    private readonly List<string> _produced = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string _bootstrap = "";

    private enum ChurnAction
    {
        Kill,
        Terminate,
        Add,
    }

    private IEnumerable<GroupMemberProcess> Live => _members.Where(m => m.End == MemberEnd.Running);

    [Fact]
    public async Task Partitions_must_never_be_held_twice_and_nothing_skipped_while_members_join_leave_and_are_killed()
    {
        var seed = Environment.GetEnvironmentVariable("ACTORSTREAM_CHURN_SEED") is { } fixedSeed
            ? int.Parse(fixedSeed, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        var random = new Random(seed);
        Log($"seed {seed} (ACTORSTREAM_CHURN_SEED={seed} repeats this schedule)");

        var node = await CliProcess.StartAsync(_dir, "is up", CommandTimeout, "node", "start", "--port", "0", "--kafka-port", "0", "--data", Path.Combine(_dir, "data"));
        _nodes.Add(node);
        _bootstrap = $"127.0.0.1:{node.BoundPort.ToString(CultureInfo.InvariantCulture)}";
        await RunOkAsync(null, "topics", "create", "--bootstrap-server", _bootstrap, "--topic", Topic, "--partitions", Partitions.ToString(CultureInfo.InvariantCulture));

        await AddMemberAsync();
        await AddMemberAsync();
        ChurnAction[] schedule = [ChurnAction.Kill, ChurnAction.Kill, ChurnAction.Terminate, ChurnAction.Add, ChurnAction.Add];
        random.Shuffle(schedule);
        for (var round = 0; round < schedule.Length; round++)
        {
            await ProduceBatchAsync();
            await ApplyAsync(schedule[round], random);
            await Eventually.TrueAsync(() => Missing().Count == 0, ConditionTimeout, $"round {round}: every produced record printed");
            Log($"round {round} done: {Live.Count()} live members");
        }

        await Eventually.TrueAsync(
            () => Observe().PartitionsNotHeldByExactlyOne().Count == 0,
            ConditionTimeout,
            "every partition held by exactly one live member");
        Log("every partition held by exactly one live member");

        var observer = Observe();
        output.WriteLine(observer.Describe());
        Log($"{_produced.Count} records produced; {_members.Count} members, {_members.Count(m => m.End == MemberEnd.Killed)} killed, {_members.Count(m => m.End == MemberEnd.Terminated)} terminated");
        Log($"duplicates after kill: {observer.DuplicatesAfter.GetValueOrDefault(HoldEnd.Killed)}, after revoke: {observer.DuplicatesAfter.GetValueOrDefault(HoldEnd.Revoked)}, "
            + $"after exit: {observer.DuplicatesAfter.GetValueOrDefault(HoldEnd.Exited)}, after lost: {observer.DuplicatesAfter.GetValueOrDefault(HoldEnd.Lost)}; refused commits: {observer.CommitFailures}");

        Assert.True(observer.Violations.Count == 0, string.Join('\n', observer.Violations) + "\n" + observer.Describe());
        Assert.Empty(Missing(observer));
        Assert.Empty(observer.PartitionsNotHeldByExactlyOne());
        Assert.All(Live, m => Assert.False(m.Process.HasExited, $"{m.Name} exited without being stopped: {m.Process.Stderr}"));
        Assert.All(_members.Where(m => m.End == MemberEnd.Killed), m => Assert.Contains(observer.Holds, h => h.Member == m.Name && h.End == HoldEnd.Killed));
    }

    private async Task ApplyAsync(ChurnAction action, Random random)
    {
        if (action is ChurnAction.Kill or ChurnAction.Terminate && Live.Count() == 1)
        {
            await AddMemberAsync(); // never leave the group empty
        }

        if (action == ChurnAction.Add && Live.Count() >= MaxMembers)
        {
            action = ChurnAction.Terminate;
        }

        // The victim is one that printed some of this round's batch: killed before its next periodic commit, its successor
        // must re-print from the last commit (at-least-once), not from where it stopped printing.
        var batchStart = _produced[^RecordsPerRound];
        List<GroupMemberProcess> printing = [];
        await Eventually.TrueAsync(
            () =>
            {
                printing = Live.Where(m => m.Transcript(Topic).Records.Any(r => string.CompareOrdinal(r.Value, batchStart) >= 0)).ToList();
                return printing.Count > 0;
            },
            ConditionTimeout,
            "a live member printed records of this round");
        var victim = action == ChurnAction.Add ? null : printing[random.Next(printing.Count)];
        switch (action)
        {
            case ChurnAction.Kill when victim is not null:
                await victim.KillAsync(CommandTimeout);
                Log($"killed {victim.Name} (pid {victim.Process.Pid}, SIGKILL) at {victim.EndedAt:O}");
                break;
            case ChurnAction.Terminate when victim is not null:
                var exitCode = await victim.TerminateAsync(CommandTimeout);
                Log($"terminated {victim.Name} (SIGTERM): exit {exitCode} at {victim.EndedAt:O}");
                Assert.True(exitCode == 0, $"{victim.Name} exited {exitCode} on SIGTERM: {victim.Process.Stderr}");
                break;
            default:
                await AddMemberAsync();
                break;
        }
    }

    private async Task AddMemberAsync()
    {
        var name = $"m{_members.Count}";
        var member = await GroupMemberProcess.StartAsync(
            name,
            _dir,
            CommandTimeout,
            "consume", "--bootstrap-server", _bootstrap, "--topic", Topic, "--group", Group, "--from-beginning",
            "--property", "print.partition=true", "--property", "print.offset=true",
            "--consumer-property", "auto.commit.interval.ms=2000",
            "--consumer-property", "heartbeat.interval.ms=500",
            "--consumer-property", $"client.id={name}");
        _members.Add(member);
        Log($"started {name} (pid {member.Process.Pid})");
    }

    private async Task ProduceBatchAsync()
    {
        var batch = Enumerable.Range(_produced.Count, RecordsPerRound).Select(i => $"r{i:D6}").ToList();
        await RunOkAsync(string.Concat(batch.Select(v => $"k{v}\t{v}\n")), "produce", "--bootstrap-server", _bootstrap, "--topic", Topic, "--property", "parse.key=true");
        _produced.AddRange(batch);
        Log($"produced {batch[0]}..{batch[^1]}");
    }

    private GroupChurnObserver Observe() => new(Topic, Partitions, _members);

    private List<string> Missing() => Missing(Observe());

    private List<string> Missing(GroupChurnObserver observer)
    {
        var printed = observer.PrintedValues;
        return _produced.Where(v => !printed.Contains(v)).ToList();
    }

    private async Task RunOkAsync(string? stdin, params string[] args)
    {
        var (exit, _, stderr) = await CliProcess.RunAsync(_dir, CommandTimeout, stdin, args);
        Assert.True(exit == 0, $"actorstream {string.Join(' ', args)} exited {exit}: {stderr}");
    }

    private void Log(string message) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F1} s] {message}");

    private static string CreateDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "actorstream-process", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public void Dispose()
    {
        foreach (var member in _members)
        {
            member.Dispose();
        }

        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }
}
