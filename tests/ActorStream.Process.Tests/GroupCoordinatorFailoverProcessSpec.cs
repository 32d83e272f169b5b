using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ActorStream.Client;
using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Process.Tests.Support;
using ActorStream.Protocol;
using ActorStream.TestKit;
using Xunit.Abstractions;

namespace ActorStream.Process.Tests;

/// <summary>
/// kill -9 of the node hosting the group coordinator under three <c>consume --group</c> processes whose
/// <c>request.timeout.ms</c> is 120 s, while a producer writes numbered records: the two that stay must print records
/// again within 60 s of the kill (so neither waited out a request timeout on the dead node), the one sent SIGTERM right
/// after the kill must exit within 45 s (its leave does not hang on the dead coordinator), and every acknowledged record
/// must be printed by some member (at least once: duplicates allowed, gaps not).
/// <para>
/// <c>ACTORSTREAM_KILL=other</c> kills a node that does not host the coordinator instead (to compare the stalls).
/// </para>
/// </summary>
public sealed partial class GroupCoordinatorFailoverProcessSpec(ITestOutputHelper output) : IDisposable
{
    private const string Topic = "coordinator-failover";
    private const string Group = "coordinator-failover-group";
    private const int Partitions = 6;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ResumeBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(45);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-process", Guid.NewGuid().ToString("N"));
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<GroupMemberProcess> _members = [];
    private ProcessCluster? _cluster;

    [Fact]
    public async Task Group_members_must_resume_well_before_a_120_s_request_timeout_after_kill_9_of_the_coordinators_node_and_skip_nothing()
    {
        var killOther = Environment.GetEnvironmentVariable("ACTORSTREAM_KILL") == "other";
        Directory.CreateDirectory(_dir);
        var cluster = _cluster = new ProcessCluster(_dir, 3);
        await cluster.StartAllAsync();
        Log("3 nodes up");

        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = cluster.Bootstrap });
        await ReplicatedTopic.CreateAsync(admin, Topic, Partitions, Patience);
        var members = await Task.WhenAll(new[] { "a", "b", "c" }.Select(StartMemberAsync));
        _members.AddRange(members);
        var (stay, leaver) = (members[..2], members[2]);
        Log("3 consumers joined");

        await using var producer = new PacedProducer(
            new ProducerConfig { BootstrapServers = cluster.Bootstrap, Acks = Acks.All, EnableIdempotence = true, LingerMs = 2, RetryBackoffMs = 100, DeliveryTimeoutMs = 120_000 },
            Topic,
            Partitions,
            TimeSpan.FromMilliseconds(50));
        await producer.StartAsync();

        var coordinator = await StableGroupCoordinatorAsync(admin, members.Length);
        await Eventually.TrueAsync(() => members.All(m => m.Transcript(Topic).Records.Count > 0), Patience, "every consumer printed records");
        var victim = killOther ? Enumerable.Range(0, cluster.Size).First(n => n != coordinator) : coordinator;
        var printedAtKill = members.Select(m => m.Transcript(Topic).Records.Count).ToArray();

        cluster.Kill(victim);
        var killedAt = Stopwatch.GetTimestamp();
        Log($"killed node {victim} ({(victim == coordinator ? "the group coordinator's" : $"not the coordinator's, which is node {coordinator}")}) after {printedAtKill.Sum()} printed lines");
        var leaving = TerminateAsync(leaver, killedAt);

        long? movedAt = null;
        await Eventually.TrueAsync(
            () => (movedAt = producer.EveryPartitionAcknowledgedSince(killedAt)) is not null,
            Patience,
            $"every partition led again (an acks=all record sent after the kill acknowledged in each); failures: {string.Join("; ", producer.Failures.Take(5))}\n{cluster.Output()}");
        Log($"partitions moved: every partition acknowledged a record sent after the kill {Stopwatch.GetElapsedTime(killedAt, movedAt!.Value).TotalSeconds:F1} s after it");

        // Resumed: printed a record that was sent only after every partition had moved, within 60 s of the kill.
        var resumed = new TimeSpan?[stay.Length];
        var remaining = ResumeBound - Stopwatch.GetElapsedTime(killedAt);
        await Eventually.TrueAsync(
            () =>
            {
                for (var i = 0; i < stay.Length; i++)
                {
                    if (resumed[i] is null && PrintedSentSince(stay[i], producer, movedAt.Value))
                    {
                        resumed[i] = Stopwatch.GetElapsedTime(killedAt);
                        Log($"consumer {stay[i].Name} printed a record sent after the failover {resumed[i]!.Value.TotalSeconds:F1} s after the kill");
                    }
                }

                return resumed.All(r => r is not null);
            },
            remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero,
            $"both remaining consumers printing records sent after the failover within {ResumeBound.TotalSeconds} s of the kill "
            + $"(request.timeout.ms is 120 s); resumed: [{string.Join(", ", resumed.Select(r => r?.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) ?? "no"))}]\n{MemberOutput()}");

        var (exitCode, exitedAfter) = await leaving;
        Log($"consumer {leaver.Name} (SIGTERM right after the kill) exited {exitCode} after {exitedAfter.TotalSeconds:F1} s");
        Assert.Equal(0, exitCode);

        await producer.StopAsync(Patience);
        Log($"producer stopped: {producer.Acknowledged.Count} acknowledged, {producer.Failures.Count} failed");
        Assert.NotEmpty(producer.Acknowledged);
        List<string> missing = [];
        await Eventually.TrueAsync(
            () =>
            {
                var printed = members.SelectMany(m => m.Transcript(Topic).Records).Select(r => r.Value).ToHashSet(StringComparer.Ordinal);
                missing = producer.Acknowledged.Keys.Where(v => !printed.Contains(v)).Order(StringComparer.Ordinal).ToList();
                return missing.Count == 0;
            },
            Patience,
            "every acknowledged record printed by some member");
        Assert.Empty(missing);
        var duplicates = members.SelectMany(m => m.Transcript(Topic).Records).GroupBy(r => r.Value).Count(g => g.Count() > 1);
        Log($"every acknowledged record printed; {duplicates} printed more than once");
    }

    private static bool PrintedSentSince(GroupMemberProcess member, PacedProducer producer, long since) =>
        member.Transcript(Topic).Records.Any(r => producer.Acknowledged.TryGetValue(r.Value, out var ack) && ack.SentAt >= since);

    private async Task<(int ExitCode, TimeSpan After)> TerminateAsync(GroupMemberProcess member, long killedAt)
    {
        try
        {
            var exitCode = await member.TerminateAsync(ExitBound);
            return (exitCode, Stopwatch.GetElapsedTime(killedAt));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"consumer {member.Name} did not exit within {ExitBound.TotalSeconds} s of SIGTERM with its coordinator gone: {member.Process.Stderr}");
        }
    }

    /// <summary>
    /// Waits until the group is Stable with every member, then reads the coordinator's node from <c>groups describe</c>
    /// (the same answer the admin client got, printed for users like kafka-consumer-groups' COORDINATOR).
    /// </summary>
    private async Task<int> StableGroupCoordinatorAsync(AdminClient admin, int members)
    {
        GroupDescription? last = null;
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    last = await admin.DescribeGroupAsync(Group);
                }
                catch (ActorStreamException)
                {
                    return false;
                }

                return last.State == "Stable" && last.Members.Count == members && last.CoordinatorId >= 0;
            },
            Patience,
            $"group Stable with {members} members and a known coordinator; last: {last?.State} with {last?.Members.Count} members, coordinator {last?.CoordinatorId}");

        var (exit, _, stderr) = await CliProcess.RunAsync(_dir, Patience, null, "groups", "describe", "--bootstrap-server", _cluster!.Bootstrap, "--group", Group);
        var match = DescribeLine().Match(stderr);
        Assert.True(exit == 0 && match.Success, $"groups describe exited {exit} without naming the coordinator: {stderr}");
        var coordinator = int.Parse(match.Groups["node"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(last!.CoordinatorId, coordinator);
        Log($"group Stable with {members} members, coordinator on node {coordinator}");
        return coordinator;
    }

    [GeneratedRegex(@"coordinator node (?<node>\d+)")]
    private static partial Regex DescribeLine();

    private async Task<GroupMemberProcess> StartMemberAsync(string name) =>
        await GroupMemberProcess.StartAsync(
            name,
            _dir,
            Patience,
            "consume", "--bootstrap-server", _cluster!.Bootstrap, "--topic", Topic, "--group", Group, "--from-beginning",
            "--property", "print.partition=true", "--property", "print.offset=true",
            "--consumer-property", "request.timeout.ms=120000",
            "--consumer-property", "auto.commit.interval.ms=1000",
            "--consumer-property", "heartbeat.interval.ms=500",
            "--consumer-property", $"client.id={name}");

    private string MemberOutput() =>
        string.Join("\n", _members.Select(m => $"--- consumer {m.Name} stderr:\n{Tail(m.Process.Stderr)}")) + "\n" + _cluster!.Output();

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    private void Log(string message) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F1} s] {message}");

    public void Dispose()
    {
        foreach (var member in _members)
        {
            member.Dispose();
        }

        _cluster?.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
