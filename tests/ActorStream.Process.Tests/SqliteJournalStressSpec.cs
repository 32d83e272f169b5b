using System.Globalization;
using ActorStream.Process.Tests.Support;

namespace ActorStream.Process.Tests;

/// <summary>
/// Several processes share one SQLite metadata journal (DESIGN.md, "Metadata store": nodes on one host may share the file).
/// Four <c>actorstream diagnostics journal-stress write</c> processes, each with the broker's journal configuration, write at
/// the same time; then every event must replay exactly once and in order.
/// </summary>
public sealed class SqliteJournalStressSpec : IDisposable
{
    private const int Writers = 4;
    private const int Actors = 4;
    private const int Events = 150;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-journal-stress", Guid.NewGuid().ToString("N"));

    public SqliteJournalStressSpec() => Directory.CreateDirectory(_dir);

    private string Journal => "sqlite:" + Path.Combine(_dir, "metadata.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Concurrent_writer_processes_must_each_land_every_event_exactly_once_and_in_order()
    {
        var writerIds = Enumerable.Range(0, Writers).Select(w => $"w{w}").ToList();
        var runs = await Task.WhenAll(writerIds.Select(id => CliProcess.RunAsync(_dir, CommandTimeout, null,
            "diagnostics", "journal-stress", "write", "--journal", Journal, "--writer-id", id, "--actors", Number(Actors), "--events", Number(Events))));
        Assert.All(runs, run => Assert.True(run.ExitCode == 0, $"a writer exited {run.ExitCode}: {run.Stderr}\n{run.Stdout}"));

        var (exit, stdout, stderr) = await CliProcess.RunAsync(_dir, CommandTimeout, null,
            ["diagnostics", "journal-stress", "verify", "--journal", Journal, .. writerIds.SelectMany(id => new[] { "--writer-id", id }), "--actors", Number(Actors), "--events", Number(Events)]);
        Assert.True(exit == 0, $"verify exited {exit}: {stderr}");
        Assert.Contains($"verified {Writers * Actors * Events} events", stdout, StringComparison.Ordinal);

        // The check can fail: asking for one event more than was written must be reported for every persistence id.
        var (tooManyExit, _, tooManyErrors) = await CliProcess.RunAsync(_dir, CommandTimeout, null,
            "diagnostics", "journal-stress", "verify", "--journal", Journal, "--writer-id", writerIds[0], "--actors", Number(Actors), "--events", Number(Events + 1));
        Assert.Equal(1, tooManyExit);
        Assert.Equal(Actors, tooManyErrors.Split('\n').Count(line => line.Contains($"{Events} events replayed, {Events + 1} expected", StringComparison.Ordinal)));
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
