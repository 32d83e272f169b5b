using ActorStream.Client.Admin;
using ActorStream.Client.Config;
using ActorStream.Client.Connection;
using ActorStream.Client.Producer;
using ActorStream.Client.Tests.Support;
using ActorStream.Protocol;
using ActorStream.TestKit;

namespace ActorStream.Client.Tests;

/// <summary>
/// A node that goes away drops the client's connection, and the client must act on that at once (Kafka's
/// NetworkClient sees the disconnect) instead of waiting out <c>request.timeout.ms</c>: that wait, not the cluster's
/// failover, used to dominate how long a producer stalled after its leader died. Each test has its own node, which it
/// stops and restarts on the same port (the one its first start bound) and data dir.
/// </summary>
public sealed class LostConnectionSpec : IDisposable
{
    /// <summary>Longer than the tests' patience (60 s): nothing may pass by waiting out a request timeout.</summary>
    private const int LongRequestTimeoutMs = 90_000;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "as-client-lost-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_node_that_stops_must_cancel_its_lost_token_and_be_backed_off_until_it_is_reachable_again()
    {
        var node = await TestNode.StartAsync(_dir);
        var port = node.Settings.Port;
        await using var connection = await ClientConnection.ConnectAsync(new AdminConfig { BootstrapServers = node.BootstrapAddress, RequestTimeoutMs = LongRequestTimeoutMs });
        var nodeId = Assert.Single(connection.Metadata.Nodes.Keys);
        var lost = connection.LostToken(nodeId);
        Assert.False(lost.IsCancellationRequested);
        Assert.False(connection.IsBackingOff(nodeId, out _));

        await node.DisposeAsync();
        await Eventually.TrueAsync(() => lost.IsCancellationRequested, Clients.Patience, "the lost token cancelled after the node stopped");

        await using var restarted = await TestNode.StartAsync(_dir, port);
        await Eventually.AssertAsync(
            async () =>
            {
                var metadata = await connection.RefreshAsync();
                Assert.True(metadata.Nodes.ContainsKey(nodeId));
            },
            Clients.Patience);
        Assert.False(connection.LostToken(nodeId).IsCancellationRequested);
        Assert.False(connection.IsBackingOff(nodeId, out _));
    }

    [Fact]
    public async Task A_request_in_flight_when_its_node_stops_must_fail_at_once_not_after_the_request_timeout()
    {
        var topic = BrokerFixture.UniqueTopic("lost");
        var node = await TestNode.StartAsync(_dir);
        await using (var admin = new AdminClient(new AdminConfig { BootstrapServers = node.BootstrapAddress }))
        {
            await admin.CreateTopicsAsync(topic, 1, 1);
        }

        // The answer is swallowed, so the request is still in flight when the node stops. Without retries the lost
        // connection surfaces as the record's error (with retries it would go back to its queue for the next leader).
        var swallowed = 0;
        await using var producer = new Producer<string, string>(new ProducerConfig
        {
            BootstrapServers = node.BootstrapAddress,
            Acks = Acks.Leader,
            EnableIdempotence = false,
            Retries = 0,
            RequestTimeoutMs = LongRequestTimeoutMs,
            Interceptor = new ProducerInterceptor { ShouldDeliver = _ => Interlocked.Exchange(ref swallowed, 1) == 1 },
        });
        var delivery = producer.ProduceAsync(topic, "k", "v", partition: 0);
        await Eventually.TrueAsync(() => Volatile.Read(ref swallowed) == 1, Clients.Patience, "the answer swallowed");
        Assert.False(delivery.IsCompleted);

        await node.DisposeAsync();
        var completed = await Task.WhenAny(delivery, Task.Delay(Clients.Patience));
        Assert.True(completed == delivery, $"the in-flight record did not fail within {Clients.Patience} (request.timeout.ms is {LongRequestTimeoutMs} ms)");
        var error = await Assert.ThrowsAsync<ActorStreamException>(() => delivery);
        Assert.Equal(ErrorCode.NetworkException, error.ErrorCode);
    }
}
