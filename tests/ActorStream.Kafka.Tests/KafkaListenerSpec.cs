using System.Buffers.Binary;
using System.Text;
using ActorStream.Kafka.Tests.Support;

namespace ActorStream.Kafka.Tests;

/// <summary>
/// The listener over raw sockets, with test APIs (no broker): frames and their limits, what closes a connection, the
/// idle timeout, answers in arrival order, and one connection's parked request never holding up another.
/// </summary>
public sealed class KafkaListenerSpec : IAsyncLifetime
{
    private const short Key = 1000;
    private const short PipelinedKey = 1100;
    private readonly TestApi _api = new(Key, minVersion: 1, maxVersion: 3);
    private readonly TestApi _pipelined = new(PipelinedKey, minVersion: 1, maxVersion: 3, pipelined: true);
    private ListenerHarness _harness = null!;

    public Task InitializeAsync()
    {
        _harness = ListenerHarness.Start("socket-request-max-bytes = 1048576", _api, _pipelined);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static byte[] Body(string command) => Encoding.UTF8.GetBytes(command);

    private static (int CorrelationId, string Text) Decode(byte[] frame) =>
        (BinaryPrimitives.ReadInt32BigEndian(frame), Encoding.UTF8.GetString(frame, 4, frame.Length - 4));

    private Task PoolReturnsToBaselineAsync() =>
        Eventually.TrueAsync(() => _harness.Pool.Outstanding == 0 && _harness.Listener.ConnectionCount == 0, RawKafkaClient.Timeout, "every rented buffer returned");

    [Fact]
    public async Task A_request_must_be_answered_with_its_correlation_id()
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);

        await client.SendRequestAsync(Key, 2, 77, Body("echo:hello"));

        Assert.Equal((77, "hello"), Decode((await client.ReadFrameAsync())!));
    }

    [Fact]
    public async Task Pipelined_requests_must_be_answered_in_arrival_order_one_at_a_time()
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);
        await using var other = await RawKafkaClient.ConnectAsync(_harness.Port);

        // Three requests in one write: the first parks, the two after it must wait for it.
        await client.SendAsync(RawKafkaClient.Request(Key, 1, 1, Body("park"))
            .Concat(RawKafkaClient.Request(Key, 1, 2, Body("echo:second")))
            .Concat(RawKafkaClient.Request(Key, 1, 3, Body("echo:third"))).ToArray());
        await Eventually.TrueAsync(() => Volatile.Read(ref _api.Parked) == 1, RawKafkaClient.Timeout, "the first request parked");

        // Another connection is served while that one is parked.
        await other.SendRequestAsync(Key, 1, 9, Body("echo:other"));
        Assert.Equal((9, "other"), Decode((await other.ReadFrameAsync())!));
        Assert.Equal(0, client.Socket.Available);

        _api.Release();
        Assert.Equal((1, "park"), Decode((await client.ReadFrameAsync())!));
        Assert.Equal((2, "second"), Decode((await client.ReadFrameAsync())!));
        Assert.Equal((3, "third"), Decode((await client.ReadFrameAsync())!));
    }

    [Fact]
    public async Task Requests_of_a_pipelined_api_must_be_handled_at_once_and_answered_in_arrival_order()
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);

        // The first parks; the two after it are handled meanwhile, but answered only after it.
        await client.SendAsync(RawKafkaClient.Request(PipelinedKey, 1, 1, Body("park"))
            .Concat(RawKafkaClient.Request(PipelinedKey, 1, 2, Body("echo:second")))
            .Concat(RawKafkaClient.Request(PipelinedKey, 1, 3, Body("echo:third"))).ToArray());
        await Eventually.TrueAsync(() => Volatile.Read(ref _pipelined.Started) == 3, RawKafkaClient.Timeout, "all three requests handled");
        Assert.Equal(0, client.Socket.Available);

        _pipelined.Release();
        Assert.Equal((1, "park"), Decode((await client.ReadFrameAsync())!));
        Assert.Equal((2, "second"), Decode((await client.ReadFrameAsync())!));
        Assert.Equal((3, "third"), Decode((await client.ReadFrameAsync())!));
        await PoolReturnsToBaselineAfterAsync(client);
    }

    [Fact]
    public async Task A_request_of_another_api_must_wait_until_the_pipelined_ones_before_it_are_answered()
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);

        await client.SendAsync(RawKafkaClient.Request(PipelinedKey, 1, 1, Body("park"))
            .Concat(RawKafkaClient.Request(Key, 1, 2, Body("echo:barrier")))
            .Concat(RawKafkaClient.Request(PipelinedKey, 1, 3, Body("echo:after"))).ToArray());
        await Eventually.TrueAsync(() => Volatile.Read(ref _pipelined.Parked) == 1, RawKafkaClient.Timeout, "the first request parked");
        // Neither the barrier nor the request after it has started while the first is in flight.
        Assert.Equal((1, 0), (Volatile.Read(ref _pipelined.Started), Volatile.Read(ref _api.Started)));

        _pipelined.Release();
        Assert.Equal((1, "park"), Decode((await client.ReadFrameAsync())!));
        Assert.Equal((2, "barrier"), Decode((await client.ReadFrameAsync())!));
        Assert.Equal((3, "after"), Decode((await client.ReadFrameAsync())!));
    }

    [Fact]
    public async Task A_pipelined_request_that_fails_must_close_the_connection_after_the_answers_before_it()
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);

        await client.SendAsync(RawKafkaClient.Request(PipelinedKey, 1, 1, Body("echo:first"))
            .Concat(RawKafkaClient.Request(PipelinedKey, 1, 2, Body("malformed")))
            .Concat(RawKafkaClient.Request(PipelinedKey, 1, 3, Body("echo:never"))).ToArray());

        Assert.Equal((1, "first"), Decode((await client.ReadFrameAsync())!));
        Assert.True(await client.IsClosedByBrokerAsync());
        Assert.Equal(2, Volatile.Read(ref _pipelined.Started));
        await PoolReturnsToBaselineAsync();
    }

    private async Task PoolReturnsToBaselineAfterAsync(RawKafkaClient client)
    {
        await client.DisposeAsync();
        await PoolReturnsToBaselineAsync();
    }

    [Fact]
    public async Task A_request_without_a_response_must_send_nothing_and_keep_the_connection()
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);

        await client.SendRequestAsync(Key, 1, 1, Body("silent"));
        await client.SendRequestAsync(Key, 1, 2, Body("echo:after"));

        Assert.Equal((2, "after"), Decode((await client.ReadFrameAsync())!));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(512 * 1024 + 1)]
    [InlineData(int.MaxValue)]
    public async Task A_negative_size_or_one_above_512_KiB_before_a_valid_header_must_close(int size)
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, size);

        await client.SendAsync(prefix);

        Assert.True(await client.IsClosedByBrokerAsync());
        await PoolReturnsToBaselineAsync();
    }

    [Fact]
    public async Task After_a_valid_header_the_limit_must_be_socket_request_max_bytes()
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);
        await client.SendRequestAsync(Key, 1, 1, Body("echo:first"));
        Assert.Equal((1, "first"), Decode((await client.ReadFrameAsync())!));

        // 600 KiB: above the initial 512 KiB, below the configured 1 MiB.
        var big = "echo:" + new string('x', 600 * 1024);
        await client.SendRequestAsync(Key, 1, 2, Body(big));
        Assert.Equal((2, big[5..]), Decode((await client.ReadFrameAsync())!));

        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, 1048576 + 1);
        await client.SendAsync(prefix);
        Assert.True(await client.IsClosedByBrokerAsync());
        await PoolReturnsToBaselineAsync();
    }

    [Fact]
    public async Task A_large_request_on_a_fresh_connection_must_close_it()
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);

        // Valid in every other way, but 600 KiB before any valid header arrived.
        await client.SendAsync(RawKafkaClient.Request(Key, 1, 1, Body("echo:" + new string('x', 600 * 1024))));

        Assert.True(await client.IsClosedByBrokerAsync());
    }

    [Theory]
    [InlineData(1001, 1)] // an API nobody serves
    [InlineData(-1, 0)]
    [InlineData(Key, 0)] // below the API's minimum
    [InlineData(Key, 4)] // above its maximum
    public async Task An_unknown_api_key_or_version_must_close_the_connection(short apiKey, short version)
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);

        await client.SendRequestAsync(apiKey, version, 1, Body("echo:x"));

        Assert.True(await client.IsClosedByBrokerAsync());
        await PoolReturnsToBaselineAsync();
    }

    [Theory]
    [InlineData("close")]
    [InlineData("throw")]
    [InlineData("malformed")]
    public async Task A_handler_that_closes_or_fails_must_close_only_its_connection(string command)
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);
        await using var other = await RawKafkaClient.ConnectAsync(_harness.Port);

        await client.SendRequestAsync(Key, 1, 1, Body(command));

        Assert.True(await client.IsClosedByBrokerAsync());
        await other.SendRequestAsync(Key, 1, 2, Body("echo:still here"));
        Assert.Equal((2, "still here"), Decode((await other.ReadFrameAsync())!));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0 })] // size 0: no header
    [InlineData(new byte[] { 0, 0, 0, 2, 3, 232 })] // size 2: only half an api key
    [InlineData(new byte[] { 0, 0, 0, 8, 3, 232, 0, 1, 0, 0, 0, 1 })] // no client id
    [InlineData(new byte[] { 0, 0, 0, 10, 3, 232, 0, 1, 0, 0, 0, 1, 0, 9 })] // a client id longer than the frame
    public async Task A_malformed_header_must_close_the_connection(byte[] bytes)
    {
        await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);

        await client.SendAsync(bytes);

        Assert.True(await client.IsClosedByBrokerAsync());
        await PoolReturnsToBaselineAsync();
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_request_must_leave_no_rented_buffer()
    {
        for (var i = 0; i < 20; i++)
        {
            await using var client = await RawKafkaClient.ConnectAsync(_harness.Port);
            var frame = RawKafkaClient.Request(Key, 1, i, Body("echo:" + new string('y', 10_000)));
            await client.SendAsync(frame.AsMemory(0, 4 + (i * 397 % (frame.Length - 4))));
        }

        await PoolReturnsToBaselineAsync();
    }

    [Fact]
    public async Task A_connection_that_sends_nothing_must_be_closed_after_connections_max_idle()
    {
        await using var idle = ListenerHarness.Start("connections-max-idle = 300ms", _api);
        await using var client = await RawKafkaClient.ConnectAsync(idle.Port);
        await client.SendRequestAsync(Key, 1, 1, Body("echo:once"));
        Assert.Equal((1, "once"), Decode((await client.ReadFrameAsync())!));

        Assert.True(await client.IsClosedByBrokerAsync());
        await Eventually.TrueAsync(() => idle.Listener.ConnectionCount == 0 && idle.Pool.Outstanding == 0, RawKafkaClient.Timeout, "the idle connection gone");
    }

    [Fact]
    public async Task A_parked_request_must_not_count_as_idle()
    {
        var api = new TestApi(Key, 1, 3);
        await using var idle = ListenerHarness.Start("connections-max-idle = 200ms", api);
        await using var client = await RawKafkaClient.ConnectAsync(idle.Port);
        await client.SendRequestAsync(Key, 1, 1, Body("park"));
        await Eventually.TrueAsync(() => Volatile.Read(ref api.Parked) == 1, RawKafkaClient.Timeout, "parked");

        // Parked for well over the idle timeout (it cannot answer before the release), then answered.
        var parkedAt = DateTime.UtcNow;
        await Eventually.TrueAsync(() => DateTime.UtcNow - parkedAt > TimeSpan.FromMilliseconds(800), RawKafkaClient.Timeout);
        api.Release();

        Assert.Equal((1, "park"), Decode((await client.ReadFrameAsync())!));
    }

    [Fact]
    public async Task Stopping_the_listener_must_close_its_connections_and_return_every_buffer()
    {
        var api = new TestApi(Key, 1, 3);
        var harness = ListenerHarness.Start("", api);
        await using var client = await RawKafkaClient.ConnectAsync(harness.Port);
        await client.SendRequestAsync(Key, 1, 1, Body("park"));
        await Eventually.TrueAsync(() => Volatile.Read(ref api.Parked) == 1, RawKafkaClient.Timeout, "parked");

        await harness.DisposeAsync();

        Assert.True(await client.IsClosedByBrokerAsync());
        Assert.Equal(0, harness.Pool.Outstanding);
    }
}
