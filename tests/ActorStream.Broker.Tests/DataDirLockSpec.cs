using ActorStream.Broker.Hosting;

namespace ActorStream.Broker.Tests;

/// <summary>The data dir lock within one process (the process spec checks it across processes and after SIGKILL).</summary>
public sealed class DataDirLockSpec : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-broker-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_held_data_dir_must_refuse_a_second_lock_naming_the_dir_and_take_it_once_released()
    {
        var first = DataDirLock.Acquire(_dir);
        var refused = Assert.Throws<DataDirLockedException>(() => DataDirLock.Acquire(_dir));
        Assert.Equal($"Failed to acquire lock on file .lock in {_dir}: another ActorStream node process is using this data dir", refused.Message);

        first.Dispose();
        using var second = DataDirLock.Acquire(_dir);
    }

    [Fact]
    public async Task A_running_node_must_hold_its_data_dir_until_it_stops()
    {
        var node = await ActorStream.TestKit.TestNode.StartAsync(_dir);
        Assert.Throws<DataDirLockedException>(() => DataDirLock.Acquire(_dir));
        await node.StopAsync();
        using var free = DataDirLock.Acquire(_dir);
    }
}
