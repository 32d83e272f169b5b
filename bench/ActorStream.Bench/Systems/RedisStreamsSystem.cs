using System.Diagnostics;
using ActorStream.Bench.Measurement;
using StackExchange.Redis;

namespace ActorStream.Bench.Systems;

/// <summary>
/// Redis Streams through StackExchange.Redis. A partition is a stream key; producers pipeline <c>XADD</c>
/// (<c>StreamAddAsync</c>, every reply awaited, a bounded window in flight); consumers page through each key with
/// <c>XREAD COUNT 1000</c>. The latency consumer blocks in <c>XREAD BLOCK</c> on a connection of its own (the
/// multiplexer cannot share a blocked connection).
/// </summary>
internal sealed class RedisStreamsSystem(string endpoint, IReadOnlyList<int> brokerPids) : IMessagingSystem
{
    private const int ReadCount = 1_000;
    private readonly ConnectionMultiplexer _connection = ConnectionMultiplexer.Connect(endpoint);

    public string Name => "Redis Streams";

    public string Ack => "XADD reply: in memory (RDB snapshots by the default save rules, no AOF)";

    public IReadOnlyList<int> BrokerPids => brokerPids;

    private static RedisKey Key(string topic, int partition) => $"{topic}:{partition}";

    public Task CreateAsync(string topic, int partitions, int replicas, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<TimeSpan> ProduceAsync(ProduceJob job, CancellationToken cancellationToken)
    {
        var db = _connection.GetDatabase();
        RedisValue value = job.NewValue();
        var keys = Enumerable.Range(0, job.Partitions).Select(p => Key(job.Topic, p)).ToArray();
        var window = new InFlightWindow(job.Window);
        var clock = Stopwatch.StartNew();
        for (var i = 0L; i < job.Records; i++)
        {
            await window.AcquireAsync(cancellationToken).ConfigureAwait(false);
            window.Track(db.StreamAddAsync(keys[i % keys.Length], "v", value));
        }

        await window.DrainAsync(cancellationToken).ConfigureAwait(false);
        return clock.Elapsed;
    }

    public async Task<TimeSpan> ConsumeAsync(ConsumeJob job, CancellationToken cancellationToken)
    {
        var db = _connection.GetDatabase();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, job.Partitions).Select(p => ReadKeyAsync(db, Key(job.Topic, p), job.RecordsIn(p), cancellationToken))).ConfigureAwait(false);
        return clock.Elapsed;
    }

    private static async Task ReadKeyAsync(IDatabase db, RedisKey key, long records, CancellationToken cancellationToken)
    {
        RedisValue position = "0-0";
        long count = 0;
        var lastRecord = Stopwatch.GetTimestamp();
        while (count < records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entries = await db.StreamReadAsync(key, position, ReadCount).ConfigureAwait(false);
            if (entries.Length == 0)
            {
                if (Stopwatch.GetElapsedTime(lastRecord) > ConsumeJob.Idle)
                {
                    throw new TimeoutException($"consumed {count} of {records} records of {key}");
                }

                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                continue;
            }

            count += entries.Length;
            position = entries[^1].Id;
            lastRecord = Stopwatch.GetTimestamp();
        }
    }

    public async Task<TimeSpan> LatencyAsync(LatencyJob job, LatencyRecorder recorder, CancellationToken cancellationToken)
    {
        var key = Key(job.Topic, 0);
        // RESP2 for the raw XREAD reply's shape (an array of [key, entries]; RESP3 would make it a map).
        var blockingOptions = ConfigurationOptions.Parse(endpoint);
        blockingOptions.Protocol = RedisProtocol.Resp2;
        await using var blocking = await ConnectionMultiplexer.ConnectAsync(blockingOptions).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tail = Task.Run(() => TailAsync(blocking.GetDatabase(), key, recorder, stop.Token), CancellationToken.None);
        var db = _connection.GetDatabase();
        var clock = Stopwatch.StartNew();
        try
        {
            await PacedSends.RunAsync(job, value => db.StreamAddAsync(key, "v", value), cancellationToken).ConfigureAwait(false);
            await recorder.WaitForAsync(job.Records, ConsumeJob.Idle, tail, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await tail.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        return clock.Elapsed;
    }

    private static async Task TailAsync(IDatabase db, RedisKey key, LatencyRecorder recorder, CancellationToken cancellationToken)
    {
        var position = "0-0";
        while (!cancellationToken.IsCancellationRequested)
        {
            // XREAD COUNT n BLOCK ms STREAMS key id → [[key, [[id, [field, value]], ...]]], or nil on timeout.
            var result = await db.ExecuteAsync("XREAD", "COUNT", ReadCount, "BLOCK", 100, "STREAMS", key, position).ConfigureAwait(false);
            if (result.IsNull)
            {
                continue;
            }

            var entries = result[0][1];
            for (var i = 0; i < entries.Length; i++)
            {
                var entry = entries[i];
                recorder.Receive((byte[])entry[1][1]!);
                position = (string)entry[0]!;
            }
        }
    }

    public async Task DeleteAsync(string topic, int partitions, CancellationToken cancellationToken)
    {
        var db = _connection.GetDatabase();
        for (var p = 0; p < partitions; p++)
        {
            await db.KeyDeleteAsync(Key(topic, p)).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync().ConfigureAwait(false);
}
