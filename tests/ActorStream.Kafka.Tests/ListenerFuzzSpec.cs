using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using ActorStream.Broker.Hosting;
using ActorStream.Kafka.Apis;
using ActorStream.Kafka.Hosting;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;
using ActorStream.Kafka.Tests.Support;
using ActorStream.Storage.Records;
using Akka.Actor;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Tests;

/// <summary>
/// Bad input at one real node's Kafka listener: sessions of good requests, each ended by something Kafka refuses
/// (truncated frames, negative and huge sizes, unknown API keys and versions, malformed headers, garbage after a valid
/// header, random bytes, clients that vanish mid-request). Every good request must get its correct answer, every
/// refusal a closed connection (or, for garbage an API can read, an answer); afterwards the gateway's rented buffers
/// are back at their baseline, the process grew less than 64 MiB, and a well-behaved client on another connection
/// got correct answers throughout.
/// <para>
/// 100,000 frames by default; the longer run: <c>ACTORSTREAM_KAFKA_FUZZ_FRAMES=1000000 dotnet test
/// tests/ActorStream.Kafka.Tests -c Release --filter "FullyQualifiedName~ListenerFuzzSpec"</c> (the seed is printed;
/// <c>ACTORSTREAM_KAFKA_FUZZ_SEED</c> replays one).
/// </para>
/// <para>
/// Corrupt record batches (a bad CRC, magic 1, a batchLength beyond the records or below the header) are produced to a
/// topic of their own: each must be answered with an error for its partition on a connection that stays open, and
/// nothing of them may be stored. The well-behaved client produces a record and fetches it back in every round.
/// </para>
/// </summary>
public sealed class ListenerFuzzSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const long MaxRssGrowth = 64L * 1024 * 1024;
    private const int Parallel = 8;
    private const string GoodTopic = "fuzz-good";
    private const string CorruptTopic = "fuzz-corrupt";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "actorstream-kafka-fuzz", Guid.NewGuid().ToString("N"));
    private KafkaGateway _gateway = null!;
    private BrokerNode _node = null!;

    private enum Refusal
    {
        UnknownApiKey,
        UnservedVersion,
        NegativeSize,
        HugeSize,
        ZeroSize,
        MalformedHeader,
        GarbageAfterHeader,
        RandomBytes,
        DisconnectMidRequest,
        DisconnectMidSize,
    }

    private int Port => _gateway.Listeners[0].BoundPort;

    public async Task InitializeAsync()
    {
        var config = TestNode.Config(_dir);
        _gateway = new KafkaGateway(KafkaSettings.Create(config));
        _node = await BrokerNode.StartAsync(config, [_gateway]);
        var create = new Native.CreateTopicsRequest();
        create.Topics.Add(new Native.CreatableTopic { Name = GoodTopic, NumPartitions = 1, ReplicationFactor = 1 });
        create.Topics.Add(new Native.CreatableTopic { Name = CorruptTopic, NumPartitions = 1, ReplicationFactor = 1 });
        var created = await _node.Endpoint.Ask<Native.CreateTopicsResponse>(create, RawKafkaClient.Timeout);
        Assert.All(created.Results, r => Assert.Equal(0, r.ErrorCode));
    }

    public async Task DisposeAsync()
    {
        await _node.StopAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    [Fact]
    public async Task Bad_input_must_close_connections_or_get_errors_and_leak_nothing_while_a_good_client_is_served()
    {
        var frames = EnvInt("ACTORSTREAM_KAFKA_FUZZ_FRAMES", 100_000);
        var seed = EnvInt("ACTORSTREAM_KAFKA_FUZZ_SEED", Environment.TickCount);
        output.WriteLine($"{frames} frames, seed {seed} (ACTORSTREAM_KAFKA_FUZZ_FRAMES, ACTORSTREAM_KAFKA_FUZZ_SEED)");

        await using var good = await WellBehavedClient.StartAsync(Port);
        // Warm up (JIT, pools) before the baselines.
        await RunAsync(2_000, seed ^ 0x5A5A, new FuzzStats());
        await Eventually.TrueAsync(() => _gateway.Pool.Outstanding <= 1, RawKafkaClient.Timeout, "the warm-up's buffers returned");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var rssBefore = Process.GetCurrentProcess().WorkingSet64;

        var stats = new FuzzStats();
        var stopwatch = Stopwatch.StartNew();
        await RunAsync(frames, seed, stats);
        stopwatch.Stop();

        var answeredByGood = await good.StopAsync();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var rssAfter = Process.GetCurrentProcess().WorkingSet64;
        output.WriteLine(
            $"{stats.Frames} frames in {stopwatch.Elapsed.TotalSeconds:F1} s over {stats.Connections} connections: {stats.Answered} answered, {stats.Closed} closed by the broker, {stats.Disconnected} client disconnects, {stats.CorruptBatches} corrupt batches refused; the good client got {answeredByGood} answers; RSS {rssBefore / 1048576} -> {rssAfter / 1048576} MiB");
        output.WriteLine(string.Join(", ", stats.ByRefusal.OrderBy(p => p.Key.ToString()).Select(p => $"{p.Key} {p.Value}")));

        Assert.True(stats.Frames >= frames, $"only {stats.Frames} frames sent");
        Assert.True(answeredByGood > 0, "the well-behaved client got no answer");
        Assert.All(Enum.GetValues<Refusal>().Where(r => r != Refusal.UnservedVersion || UnservedVersions().Count > 0), r => Assert.True(stats.ByRefusal.GetValueOrDefault(r) > 0, $"{r} never tried"));
        await Eventually.TrueAsync(() => _gateway.Pool.Outstanding == 0 && _gateway.Listeners[0].ConnectionCount == 0, RawKafkaClient.Timeout, $"rented buffers back at 0 (now {_gateway.Pool.Outstanding})");
        Assert.True(rssAfter - rssBefore < MaxRssGrowth, $"RSS grew {(rssAfter - rssBefore) / 1048576} MiB");
        Assert.True(stats.CorruptBatches > 0, "no corrupt batch tried");
        Assert.Equal(0, await LatestOffsetAsync(CorruptTopic));
    }

    private async Task RunAsync(int frames, int seed, FuzzStats stats)
    {
        var workers = Enumerable.Range(0, Parallel).Select(w => Task.Run(async () =>
        {
            var random = new Random(seed + w);
            while (Interlocked.Read(ref stats.Frames) < frames)
            {
                await RunSessionAsync(random, stats);
            }
        }));
        await Task.WhenAll(workers);
    }

    /// <summary>
    /// One connection: a few good requests (pipelined in one write, or none), each answered correctly, then one refusal
    /// that must close the connection (or, where the API can read the garbage, be answered).
    /// </summary>
    private async Task RunSessionAsync(Random random, FuzzStats stats)
    {
        await using var client = await RawKafkaClient.ConnectAsync(Port);
        Interlocked.Increment(ref stats.Connections);
        var good = random.Next(4) == 0 ? 0 : random.Next(1, 40);
        var batch = new ArrayBufferWriter<byte>();
        var expected = new List<(int CorrelationId, short Version)>();
        for (var i = 0; i < good; i++)
        {
            // Mostly served versions; some newer ones, which KIP-511 answers with UNSUPPORTED_VERSION in v0.
            var version = (short)(random.Next(8) == 0 ? random.Next(4, 100) : random.Next(0, 4));
            var correlationId = random.Next();
            batch.Write(ApiVersionsFrame(version, correlationId));
            expected.Add((correlationId, version));
        }

        if (good > 0)
        {
            await client.SendAsync(batch.WrittenMemory);
            foreach (var (correlationId, version) in expected)
            {
                var frame = await client.ReadFrameAsync();
                Assert.True(frame is not null, $"ApiVersions v{version} (correlation id {correlationId}) got no answer");
                AssertApiVersionsAnswer(frame!, correlationId, version);
            }

            Interlocked.Add(ref stats.Frames, good);
            Interlocked.Add(ref stats.Answered, good);
        }

        // A corrupt batch's Produce has a valid header: from then on the connection's frame limit is the full one.
        var sawValidHeader = good > 0;
        if (random.Next(8) == 0)
        {
            await ProduceCorruptBatchAsync(client, random, stats);
            sawValidHeader = true;
        }

        var refusal = (Refusal)random.Next(Enum.GetValues<Refusal>().Length);
        if (refusal == Refusal.UnservedVersion && UnservedVersions().Count == 0)
        {
            refusal = Refusal.UnknownApiKey;
        }

        stats.Count(refusal);
        Interlocked.Increment(ref stats.Frames);
        var correlation = random.Next();
        switch (refusal)
        {
            case Refusal.DisconnectMidRequest:
            {
                var frame = ApiVersionsFrame(3, correlation);
                await client.SendAsync(frame.AsMemory(0, random.Next(4, frame.Length - 1)));
                Interlocked.Increment(ref stats.Disconnected);
                return;
            }

            case Refusal.DisconnectMidSize:
                await client.SendAsync(new byte[random.Next(1, 4)]);
                Interlocked.Increment(ref stats.Disconnected);
                return;

            case Refusal.GarbageAfterHeader:
            case Refusal.RandomBytes:
            {
                // An API may read such a body (ApiVersions v0-2 have none): then it must answer this very request.
                var bytes = refusal == Refusal.RandomBytes ? RandomFrame(random) : GarbageAfterHeader(random, correlation);
                if (bytes.Length >= 12)
                {
                    correlation = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
                }

                await client.SendAsync(bytes);
                var frame = await client.ReadFrameAsync();
                if (frame is null)
                {
                    Interlocked.Increment(ref stats.Closed);
                }
                else
                {
                    Assert.Equal(correlation, BinaryPrimitives.ReadInt32BigEndian(frame));
                    Interlocked.Increment(ref stats.Answered);
                }

                return;
            }

            default:
                await client.SendAsync(RefusedBytes(refusal, random, correlation, sawValidHeader));
                Assert.True(await client.IsClosedByBrokerAsync(), $"{refusal} did not close the connection");
                Interlocked.Increment(ref stats.Closed);
                return;
        }
    }

    /// <summary>
    /// A Produce whose only batch is corrupt: answered with an error for the partition (the broker checks the CRC, the
    /// magic and the lengths before it appends), and the connection stays open.
    /// </summary>
    private static async Task ProduceCorruptBatchAsync(RawKafkaClient client, Random random, FuzzStats stats)
    {
        var batch = GoodBatch("corrupt-" + random.Next());
        switch (random.Next(4))
        {
            case 0:
                batch[^1] ^= 0xFF; // a record byte: the CRC no longer matches
                break;
            case 1:
                batch[16] = 1; // magic 1
                break;
            case 2:
                BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), batch.Length + random.Next(1, 1000)); // batchLength beyond the records
                break;
            default:
                BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), random.Next(0, 49)); // batchLength below the header
                break;
        }

        var correlationId = random.Next();
        await client.SendAsync(ProduceFrame(CorruptTopic, batch, correlationId));
        var partition = await ReadProduceAnswerAsync(client, correlationId);
        Assert.True(partition.ErrorCode != 0, $"a corrupt batch was accepted at offset {partition.BaseOffset}");
        Interlocked.Increment(ref stats.CorruptBatches);
        Interlocked.Increment(ref stats.Frames);
        Interlocked.Increment(ref stats.Answered);
    }

    private static byte[] GoodBatch(string value)
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, System.Text.Encoding.UTF8.GetBytes(value));
        return builder.Build();
    }

    private const short ProduceVersion = 9;
    private const short FetchVersion = 12;

    private static byte[] ProduceFrame(string topic, byte[] batch, int correlationId)
    {
        var request = new ProduceRequest
        {
            Acks = 1,
            TimeoutMs = 30_000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        };
        var output = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(output);
        request.Write(ref writer, ProduceVersion);
        return RawKafkaClient.Request(ProduceRequest.ApiKey, ProduceVersion, correlationId, output.WrittenSpan, "fuzz", RequestHeader.VersionFor(true));
    }

    private static async Task<ProduceResponse.PartitionProduceResponse> ReadProduceAnswerAsync(RawKafkaClient client, int correlationId)
    {
        var frame = await client.ReadFrameAsync();
        Assert.True(frame is not null, "a Produce got no answer");
        return DecodeProduceAnswer(frame!, correlationId);
    }

    private static ProduceResponse.PartitionProduceResponse DecodeProduceAnswer(byte[] frame, int correlationId)
    {
        var reader = new KafkaReader(frame);
        Assert.Equal(correlationId, ResponseHeader.Read(ref reader, 1));
        return Assert.Single(Assert.Single(ProduceResponse.Read(ref reader, ProduceVersion).Responses).PartitionResponses);
    }

    private async Task<long> LatestOffsetAsync(string topic)
    {
        await using var client = await RawKafkaClient.ConnectAsync(Port);
        var request = new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -1 }] }],
        };
        var output = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(output);
        request.Write(ref writer, 7);
        await client.SendAsync(RawKafkaClient.Request(ListOffsetsRequest.ApiKey, 7, 1, output.WrittenSpan, "fuzz", RequestHeader.VersionFor(true)));
        var frame = await client.ReadFrameAsync();
        Assert.True(frame is not null, "ListOffsets got no answer");
        var reader = new KafkaReader(frame!);
        ResponseHeader.Read(ref reader, 1);
        var partition = Assert.Single(Assert.Single(ListOffsetsResponse.Read(ref reader, 7).Topics).Partitions);
        Assert.Equal(0, partition.ErrorCode);
        return partition.Offset;
    }

    private static byte[] ApiVersionsFrame(short version, int correlationId)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(output);
        new ApiVersionsRequest { ClientSoftwareName = "fuzz", ClientSoftwareVersion = "1.0" }.Write(ref writer, Math.Min(version, ApiVersionsRequest.HighestVersion));
        return RawKafkaClient.Request(ApiVersionsRequest.ApiKey, version, correlationId, output.WrittenSpan, "fuzz", RequestHeader.VersionFor(version >= 3));
    }

    private static void AssertApiVersionsAnswer(byte[] frame, int correlationId, short version)
    {
        var reader = new KafkaReader(frame);
        Assert.Equal(correlationId, ResponseHeader.Read(ref reader, 0));
        var served = version <= 3;
        var response = ApiVersionsResponse.Read(ref reader, served ? version : (short)0);
        Assert.Equal(served ? 0 : 35, response.ErrorCode);
        Assert.Equal(KafkaApis.All.Count, response.ApiKeys.Count);
    }

    /// <summary>Versions of served APIs that the API refuses (there are none while ApiVersions, which takes any, is alone).</summary>
    private static List<(short Key, short Version)> UnservedVersions() =>
        KafkaApis.All.SelectMany(a => new[] { (a.Key, (short)(a.MaxVersion + 1)), (a.Key, (short)(a.MinVersion - 1)) })
            .Where(kv => !KafkaApis.Find(kv.Item1)!.Accepts(kv.Item2))
            .ToList();

    private static byte[] RefusedBytes(Refusal refusal, Random random, int correlationId, bool afterValidHeader)
    {
        switch (refusal)
        {
            case Refusal.UnknownApiKey:
            {
                short key;
                do
                {
                    key = (short)random.Next(short.MinValue, short.MaxValue + 1);
                }
                while (KafkaApis.Find(key) is not null);

                return RawKafkaClient.Request(key, (short)random.Next(0, 20), correlationId, RandomBytes(random, random.Next(0, 64)));
            }

            case Refusal.UnservedVersion:
            {
                var versions = UnservedVersions();
                var (key, version) = versions[random.Next(versions.Count)];
                return RawKafkaClient.Request(key, version, correlationId, RandomBytes(random, random.Next(0, 64)));
            }

            case Refusal.NegativeSize:
                return Size(random.Next(int.MinValue, 0));
            case Refusal.HugeSize:
                // Above socket.request.max.bytes (100 MiB) once a valid header was seen, above 512 KiB before.
                return Size(afterValidHeader ? random.Next(100 * 1024 * 1024 + 1, int.MaxValue) : random.Next(KafkaSettings.InitialRequestMaxBytes + 1, int.MaxValue));
            case Refusal.ZeroSize:
                return Size(0);
            case Refusal.MalformedHeader:
            {
                // ApiVersions v1's header with a client id longer than the frame, or cut inside the fixed prefix.
                var frame = RawKafkaClient.Request(ApiVersionsRequest.ApiKey, 1, correlationId, [], "client");
                if (random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(12), (short)random.Next(7, short.MaxValue));
                    return frame;
                }

                var cut = random.Next(2, 10);
                var truncated = frame.AsSpan(0, 4 + cut).ToArray();
                BinaryPrimitives.WriteInt32BigEndian(truncated, cut);
                return truncated;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null);
        }
    }

    /// <summary>A valid ApiVersions v3 header (flexible: header v2) followed by random bytes instead of its body.</summary>
    private static byte[] GarbageAfterHeader(Random random, int correlationId)
    {
        var version = (short)random.Next(0, 4);
        return RawKafkaClient.Request(ApiVersionsRequest.ApiKey, version, correlationId, RandomBytes(random, random.Next(1, 300)), "fuzz", RequestHeader.VersionFor(version >= 3));
    }

    private static byte[] RandomFrame(Random random)
    {
        var body = RandomBytes(random, random.Next(1, 200));
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Size(int size)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, size);
        return bytes;
    }

    private sealed class FuzzStats
    {
        public long Frames;
        public long Answered;
        public long Closed;
        public long Disconnected;
        public long Connections;
        public long CorruptBatches;
        public readonly System.Collections.Concurrent.ConcurrentDictionary<Refusal, long> ByRefusal = new();

        public void Count(Refusal refusal) => ByRefusal.AddOrUpdate(refusal, 1, (_, n) => n + 1);
    }

    /// <summary>
    /// A client that keeps asking correct questions on its own connection while the fuzz runs, and checks every answer.
    /// Every round: ApiVersions, then a record produced and fetched back from the offset it got.
    /// </summary>
    private sealed class WellBehavedClient : IAsyncDisposable
    {
        private readonly RawKafkaClient _client;
        private readonly CancellationTokenSource _stop = new();
        private Task<long> _loop = Task.FromResult(0L);

        private WellBehavedClient(RawKafkaClient client) => _client = client;

        public static async Task<WellBehavedClient> StartAsync(int port)
        {
            var client = new WellBehavedClient(await RawKafkaClient.ConnectAsync(port));
            client._loop = Task.Run(client.LoopAsync);
            return client;
        }

        /// <summary>Stops the loop (one last round must still be answered), closes the connection, returns the answers it got.</summary>
        public async Task<long> StopAsync()
        {
            await _stop.CancelAsync();
            var answered = await _loop;
            await OneRoundAsync(int.MaxValue);
            await _client.DisposeAsync();
            return answered + 1;
        }

        private async Task<long> LoopAsync()
        {
            long answered = 0;
            var correlationId = 0;
            while (!_stop.IsCancellationRequested)
            {
                await OneRoundAsync(++correlationId);
                answered++;
            }

            return answered;
        }

        private async Task OneRoundAsync(int correlationId)
        {
            await _client.SendAsync(ApiVersionsFrame(3, correlationId));
            var frame = await _client.ReadFrameAsync();
            Assert.True(frame is not null, "the well-behaved client's connection was closed");
            AssertApiVersionsAnswer(frame!, correlationId, 3);

            // Produce a record and fetch it back from the offset the broker gave it.
            var value = $"good-{correlationId}";
            await _client.SendAsync(ProduceFrame(GoodTopic, GoodBatch(value), correlationId));
            var produced = await ReadProduceAnswerAsync(_client, correlationId);
            Assert.True(produced.ErrorCode == 0, $"the well-behaved client's produce failed with {produced.ErrorCode}");
            await _client.SendAsync(FetchFrame(produced.BaseOffset, correlationId));
            var fetched = await _client.ReadFrameAsync();
            Assert.True(fetched is not null, "the well-behaved client's fetch got no answer");
            var reader = new KafkaReader(fetched!);
            Assert.Equal(correlationId, ResponseHeader.Read(ref reader, 1));
            var partition = Assert.Single(Assert.Single(FetchResponse.Read(ref reader, FetchVersion).Responses).Partitions);
            Assert.Equal(0, partition.ErrorCode);
            var records = partition.Records!.Value.ToArray();
            Assert.Equal(produced.BaseOffset, BinaryPrimitives.ReadInt64BigEndian(records));
            Assert.True(records.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(value)) >= 0, $"fetched batch at {produced.BaseOffset} does not hold {value}");
        }

        private static byte[] FetchFrame(long offset, int correlationId)
        {
            var request = new FetchRequest
            {
                ReplicaId = -1,
                MaxWaitMs = 0,
                MinBytes = 1,
                MaxBytes = 1024 * 1024,
                Topics = [new FetchRequest.FetchTopic { Topic = GoodTopic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = offset, PartitionMaxBytes = 1024 * 1024 }] }],
            };
            var output = new ArrayBufferWriter<byte>();
            var writer = new KafkaWriter(output);
            request.Write(ref writer, FetchVersion);
            return RawKafkaClient.Request(FetchRequest.ApiKey, FetchVersion, correlationId, output.WrittenSpan, "fuzz-good", RequestHeader.VersionFor(true));
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            try
            {
                await _loop;
            }
            catch (Exception) when (_loop.IsFaulted)
            {
                // Already reported by StopAsync, or the test failed before it.
            }

            await _client.DisposeAsync();
        }
    }
}
