namespace ActorStream.Bench.Processes;

/// <summary>
/// The peers in their default durability: NATS JetStream (file store; nats-server 2.9 syncs it to disk every
/// 2 minutes by default, not per ack) and Redis (in memory; RDB snapshots by the default save rules, no AOF). Both on a
/// free loopback port with a temp directory, started from the Debian packages bench/run.sh installs.
/// </summary>
internal static class PeerServers
{
    public static async Task<(ChildProcess Process, string Url)> StartNatsAsync(string workDirectory)
    {
        var port = ChildProcess.FreePort();
        var store = Path.Combine(workDirectory, "nats-store");
        Directory.CreateDirectory(store);
        var process = ChildProcess.Start("nats-server", "nats-server", ["-js", "-a", "127.0.0.1", "-p", $"{port}", "-sd", store], workDirectory);
        await process.WaitForPortAsync(port, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return (process, $"nats://127.0.0.1:{port}");
    }

    public static async Task<(ChildProcess Process, string Endpoint)> StartRedisAsync(string workDirectory)
    {
        var port = ChildProcess.FreePort();
        var directory = Path.Combine(workDirectory, "redis");
        Directory.CreateDirectory(directory);
        var process = ChildProcess.Start("redis-server", "redis-server", ["--port", $"{port}", "--bind", "127.0.0.1", "--dir", directory], workDirectory);
        await process.WaitForPortAsync(port, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return (process, $"127.0.0.1:{port}");
    }
}
