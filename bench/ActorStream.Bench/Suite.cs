using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ActorStream.Bench.Limits;
using ActorStream.Bench.Measurement;
using ActorStream.Bench.Processes;
using ActorStream.Bench.Report;
using ActorStream.Bench.Systems;

namespace ActorStream.Bench;

/// <summary>
/// Runs the profile: the physical limits, then every workload on every system side by side (one workload on all
/// systems before the next, so a change in the machine's load hits them alike), then prints the table and writes JSON.
/// </summary>
internal sealed class Suite(BenchOptions options) : IAsyncDisposable
{
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromMinutes(10);
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<ResultRow> _rows = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _fileBytesPerSecond;
    private double _tcpBytesPerSecond;

    private static string ActorStreamAck(string acks, int replicas) => acks == "all"
        ? $"acks=all: in the page cache of every in-sync replica (RF {replicas}, min.insync.replicas={(replicas > 1 ? 2 : 1)}), no fsync"
        : "acks=1: in the leader's page cache, no fsync";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.WorkDirectory);
        var started = DateTimeOffset.UtcNow;
        Log($"profile {options.Profile}, systems {string.Join(", ", options.Systems)}, commit {options.Commit}, work {options.WorkDirectory}");
        await MeasureLimitsAsync(cancellationToken).ConfigureAwait(false);
        var systems = await StartSystemsAsync(cancellationToken).ConfigureAwait(false);

        // 1. Per-message-acknowledged mode: one partition, at most 1,000 in flight.
        foreach (var size in new[] { 100, 1024 })
        {
            var records = size == 100 ? options.Records(200_000, 1_000_000) : options.Records(100_000, 500_000);
            await ProduceConsumeAsync(systems, $"acked {SizeName(size)}, 1 partition", $"acked-{size}", 1, records, size, ProduceMode.Acknowledged, cancellationToken).ConfigureAwait(false);
        }

        // 2. Latency at a fixed rate, linger 0.
        await LatencyAsync(systems, "latency 100 B at 5,000/s, 1 partition", "latency", cancellationToken).ConfigureAwait(false);

        // 3. Throughput mode: 4 partitions, acks=1, big batches.
        foreach (var size in new[] { 100, 1024 })
        {
            var records = size == 100 ? options.Records(1_000_000, 5_000_000) : options.Records(300_000, 1_500_000);
            await ProduceConsumeAsync(systems, $"throughput {SizeName(size)}, 4 partitions", $"throughput-{size}", 4, records, size, ProduceMode.Throughput, cancellationToken).ConfigureAwait(false);
        }

        if (options.Full)
        {
            await RunFullProfileAsync(systems, cancellationToken).ConfigureAwait(false);
        }

        return Finish(started);
    }

    /// <summary>The full profile's additions, in the issue's order.</summary>
    private async Task RunFullProfileAsync(List<IMessagingSystem> systems, CancellationToken cancellationToken)
    {
        await ProduceConsumeAsync(systems, "throughput 100 B, 16 partitions", "throughput16-100", 16, options.Records(1_000_000, 5_000_000), 100, ProduceMode.Throughput, cancellationToken).ConfigureAwait(false);

        var actorStream = systems.OfType<IConsumerGroupSystem>().ToList();
        if (actorStream.Count == 0)
        {
            return;
        }

        await ProduceConsumeAsync(actorStream, "acked 100 B, 1 partition, acks=all", "acked-all-100", 1, options.Records(200_000, 1_000_000), 100, ProduceMode.Acknowledged, cancellationToken, acks: "all").ConfigureAwait(false);
        await ProduceConsumeAsync(actorStream, "throughput 100 B, 4 partitions, acks=all", "throughput-all-100", 4, options.Records(1_000_000, 5_000_000), 100, ProduceMode.Throughput, cancellationToken, acks: "all").ConfigureAwait(false);
        await ThreeNodesAsync(cancellationToken).ConfigureAwait(false);
        await ConsumerGroupsAsync(actorStream, cancellationToken).ConfigureAwait(false);
        await ColdBacklogAsync(actorStream, cancellationToken).ConfigureAwait(false);
        await ProduceConsumeAsync(actorStream.OfType<ActorStreamNativeSystem>().ToList(), "throughput 100 B, 1,000 partitions", "partitions1000-100", 1_000, options.Records(1_000_000, 2_000_000), 100, ProduceMode.Throughput, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A second cluster of three nodes, RF 3, min.insync.replicas=2, acks=all; stopped afterwards.</summary>
    private async Task ThreeNodesAsync(CancellationToken cancellationToken)
    {
        Log("starting a 3-node ActorStream cluster");
        await using var cluster = await ActorStreamCluster.StartAsync(options.CliDll, options.WorkDirectory, "cluster3", 3).ConfigureAwait(false);
        var ack = ActorStreamAck("all", 3);
        var systems = new List<IMessagingSystem>();
        if (options.Systems.Contains("native"))
        {
            systems.Add(new ActorStreamNativeSystem(cluster.Bootstrap, cluster.Pids, ack, ", 3 nodes"));
        }

        if (options.Systems.Contains("kafka"))
        {
            systems.Add(new ConfluentKafkaSystem(cluster.KafkaBootstrap, cluster.Pids, ack, ", 3 nodes"));
        }

        // RF 3 is refused until all three nodes have registered with the controller.
        await WaitForReplicasAsync(systems[0], cancellationToken).ConfigureAwait(false);
        await ProduceConsumeAsync(systems, "throughput 100 B, 4 partitions, RF 3, acks=all", "rf3-throughput-100", 4, options.Records(1_000_000, 3_000_000), 100, ProduceMode.Throughput, cancellationToken, acks: "all", replicas: 3).ConfigureAwait(false);
        await LatencyAsync(systems, "latency 100 B at 5,000/s, 1 partition, RF 3, acks=all", "rf3-latency", cancellationToken, acks: "all", replicas: 3).ConfigureAwait(false);
    }

    private static async Task WaitForReplicasAsync(IMessagingSystem system, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await system.CreateAsync("rf3-ready", 1, 3, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception) when (attempt < 60 && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(1_000, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Three consumer groups (one member each) read one topic at once; records/s counts every group's records.</summary>
    private async Task ConsumerGroupsAsync(List<IConsumerGroupSystem> systems, CancellationToken cancellationToken)
    {
        const int groups = 3;
        var records = options.Records(1_000_000, 3_000_000);
        foreach (var system in systems)
        {
            var topic = $"groups-100-{SystemId(system)}";
            var ack = ActorStreamAck("1", 1);
            await system.CreateAsync(topic, 4, 1, cancellationToken).ConfigureAwait(false);
            var job = new ProduceJob(topic, 4, records, 100, ProduceMode.Throughput);
            var produced = await MeasureAsync("3 consumer groups, 100 B, 4 partitions: produce", system, ack, records, 100, ct => system.ProduceAsync(job, ct), null, LimitOf(system, produce: true), cancellationToken).ConfigureAwait(false);
            if (produced.Error is null)
            {
                await MeasureAsync($"3 consumer groups, 100 B, 4 partitions: consume (records/s of all {groups} groups)", system, ack, records * groups, 100, ct => system.ConsumeInGroupsAsync(new ConsumeJob(topic, 4, records), groups, ct), null, LimitOf(system, produce: false), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A backlog of several GB written once, then read with the page cache dropped before each reader.</summary>
    private async Task ColdBacklogAsync(List<IConsumerGroupSystem> systems, CancellationToken cancellationToken)
    {
        const int size = 1024;
        var records = options.Records(1_000_000, 4_000_000);
        var writer = systems[0];
        var topic = "cold-backlog-1024";
        var ack = ActorStreamAck("1", 1);
        var workload = $"cold backlog {records * size / 1e9:F1} GB, 1 KiB, 4 partitions";
        await writer.CreateAsync(topic, 4, 1, cancellationToken).ConfigureAwait(false);
        var job = new ProduceJob(topic, 4, records, size, ProduceMode.Throughput);
        var produced = await MeasureAsync($"{workload}: produce", writer, ack, records, size, ct => writer.ProduceAsync(job, ct), null, LimitOf(writer, produce: true), cancellationToken).ConfigureAwait(false);
        if (produced.Error is not null)
        {
            return;
        }

        foreach (var system in systems)
        {
            var dropped = await DropPageCacheAsync().ConfigureAwait(false);
            var name = dropped ? $"{workload}: consume, page cache dropped" : $"{workload}: consume (page cache NOT dropped: needs root)";
            await MeasureAsync(name, system, ack, records, size, ct => system.ConsumeAsync(new ConsumeJob(topic, 4, records), ct), null, LimitOf(system, produce: false), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>sync; echo 3 &gt; /proc/sys/vm/drop_caches</c> (root only).</summary>
    private async Task<bool> DropPageCacheAsync()
    {
        using (var sync = Process.Start("sync"))
        {
            await sync.WaitForExitAsync().ConfigureAwait(false);
        }

        try
        {
            await File.WriteAllTextAsync("/proc/sys/vm/drop_caches", "3").ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log($"could not drop the page cache: {e.Message}");
            return false;
        }
    }

    private int Finish(DateTimeOffset started)
    {
        var table = ResultTable.Format(_rows);
        Console.Out.WriteLine();
        Console.Out.WriteLine(table);
        Console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"loopback TCP {_tcpBytesPerSecond / 1e6:N0} MB/s; commit {options.Commit}; {Environment.ProcessorCount} cores; {_clock.Elapsed.TotalSeconds:F0} s"));
        var report = new
        {
            commit = options.Commit,
            profile = options.Profile,
            started = started.ToString("O", CultureInfo.InvariantCulture),
            seconds = Math.Round(_clock.Elapsed.TotalSeconds, 1),
            machine = new { cores = Environment.ProcessorCount, cpu = CpuModel(), os = Environment.OSVersion.VersionString },
            limits = new { tcpLoopbackBytesPerSecond = _tcpBytesPerSecond },
            rows = _rows,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.JsonPath))!);
        File.WriteAllText(options.JsonPath, JsonSerializer.Serialize(report, JsonOptions));
        Console.Out.WriteLine($"JSON: {options.JsonPath}");
        return _rows.Any(r => r.Error is not null) ? 1 : 0;
    }

    /// <summary>The loopback TCP pump, once per run (it dirties no pages, so its volume does not matter much).</summary>
    private async Task MeasureLimitsAsync(CancellationToken cancellationToken)
    {
        const long bytes = 1L * 1024 * 1024 * 1024;
        _ = await TcpLoopbackLimit.BytesPerSecondAsync(bytes / 8, cancellationToken).ConfigureAwait(false);
        _tcpBytesPerSecond = await TcpLoopbackLimit.BytesPerSecondAsync(bytes, cancellationToken).ConfigureAwait(false);
        AddLimitRow("limit: raw loopback TCP pump, 256 KiB writes", bytes, 100, _tcpBytesPerSecond);
    }

    /// <summary>
    /// The file append of the same bytes a produce workload writes (records × size), measured just before it: the
    /// kernel throttles dirty pages per device, so a bigger volume than the workload's would understate the limit.
    /// </summary>
    private void MeasureFileAppend(string workload, long records, int size)
    {
        var bytes = records * size;
        var record = new ProduceJob("limit", 1, 1, size, ProduceMode.Throughput).NewValue();
        _fileBytesPerSecond = FileAppendLimit.BytesPerSecond(options.WorkDirectory, bytes, record);
        AddLimitRow($"{workload}: limit: FileStream append of the same bytes, 256 KiB writes, no fsync", bytes / size, size, _fileBytesPerSecond);
    }

    private void AddLimitRow(string name, long records, int size, double bytesPerSecond)
    {
        var row = new ResultRow(name, "machine", "-", records, size, records * size / bytesPerSecond, bytesPerSecond / size, bytesPerSecond / 1e6, null, null, null, null, null);
        _rows.Add(row);
        Log(string.Create(CultureInfo.InvariantCulture, $"{name}: {bytesPerSecond / 1e6:N0} MB/s ({bytesPerSecond / size:N0} records/s of {size} B)"));
    }

    private async Task<List<IMessagingSystem>> StartSystemsAsync(CancellationToken cancellationToken)
    {
        var systems = new List<IMessagingSystem>();
        if (options.Systems.Contains("native") || options.Systems.Contains("kafka"))
        {
            Log("starting an ActorStream node");
            var cluster = await ActorStreamCluster.StartAsync(options.CliDll, options.WorkDirectory, "actorstream", 1).ConfigureAwait(false);
            _owned.Add(cluster);
            if (options.Systems.Contains("native"))
            {
                systems.Add(new ActorStreamNativeSystem(cluster.Bootstrap, cluster.Pids, ActorStreamAck("1", 1)));
            }

            if (options.Systems.Contains("kafka"))
            {
                systems.Add(new ConfluentKafkaSystem(cluster.KafkaBootstrap, cluster.Pids, ActorStreamAck("1", 1)));
            }
        }

        if (options.Systems.Contains("nats"))
        {
            Log("starting nats-server -js");
            var (process, url) = await PeerServers.StartNatsAsync(options.WorkDirectory).ConfigureAwait(false);
            _owned.Add(process);
            var nats = new NatsJetStreamSystem(url, [process.Pid]);
            _owned.Insert(0, nats);
            systems.Add(nats);
        }

        if (options.Systems.Contains("redis"))
        {
            Log("starting redis-server");
            var (process, endpoint) = await PeerServers.StartRedisAsync(options.WorkDirectory).ConfigureAwait(false);
            _owned.Add(process);
            var redis = new RedisStreamsSystem(endpoint, [process.Pid]);
            _owned.Insert(0, redis);
            systems.Add(redis);
        }

        return systems;
    }

    private async Task ProduceConsumeAsync(
        IReadOnlyList<IMessagingSystem> systems,
        string workload,
        string topicPrefix,
        int partitions,
        long records,
        int size,
        ProduceMode mode,
        CancellationToken cancellationToken,
        string acks = "1",
        int replicas = 1)
    {
        if (systems.Any(s => s is ActorStreamNativeSystem or ConfluentKafkaSystem))
        {
            MeasureFileAppend(workload, records, size);
        }

        foreach (var system in systems)
        {
            var topic = $"{topicPrefix}-{SystemId(system)}";
            var ack = system is ActorStreamNativeSystem or ConfluentKafkaSystem ? ActorStreamAck(acks, replicas) : system.Ack;
            try
            {
                await system.CreateAsync(topic, partitions, replicas, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                _rows.Add(Failed($"{workload}: produce", system, ack, records, size, e));
                continue;
            }

            var job = new ProduceJob(topic, partitions, records, size, mode, acks);
            var produced = await MeasureAsync($"{workload}: produce", system, ack, records, size, ct => system.ProduceAsync(job, ct), null, LimitOf(system, produce: true), cancellationToken).ConfigureAwait(false);
            if (produced.Error is null)
            {
                await MeasureAsync($"{workload}: consume", system, ack, records, size, ct => system.ConsumeAsync(new ConsumeJob(topic, partitions, records), ct), null, LimitOf(system, produce: false), cancellationToken).ConfigureAwait(false);
            }

            await system.DeleteAsync(topic, partitions, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task LatencyAsync(IReadOnlyList<IMessagingSystem> systems, string workload, string topicPrefix, CancellationToken cancellationToken, string acks = "1", int replicas = 1)
    {
        const int rate = 5_000;
        var records = options.Records(rate * 10, rate * 60);
        foreach (var system in systems)
        {
            var topic = $"{topicPrefix}-{SystemId(system)}";
            var ack = system is ActorStreamNativeSystem or ConfluentKafkaSystem ? ActorStreamAck(acks, replicas) : system.Ack;
            await system.CreateAsync(topic, 1, replicas, cancellationToken).ConfigureAwait(false);
            var warmup = Math.Min(rate, records / 10);
            var recorder = new LatencyRecorder(warmup);
            var job = new LatencyJob(topic, records, 100, rate, warmup, acks);
            await MeasureAsync(workload, system, ack, records, 100, ct => system.LatencyAsync(job, recorder, ct), recorder, _ => null, cancellationToken).ConfigureAwait(false);
            await system.DeleteAsync(topic, 1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>ActorStream's throughput as a fraction of its ceiling: produce crosses TCP and the file append, consume TCP.</summary>
    private Func<double, string?> LimitOf(IMessagingSystem system, bool produce)
    {
        if (system is not (ActorStreamNativeSystem or ConfluentKafkaSystem))
        {
            return _ => null;
        }

        return bytesPerSecond =>
        {
            var (limit, name) = produce && _fileBytesPerSecond < _tcpBytesPerSecond ? (_fileBytesPerSecond, "file append") : (_tcpBytesPerSecond, "TCP");
            return limit <= 0 ? null : string.Create(CultureInfo.InvariantCulture, $"{bytesPerSecond / limit:P1} of {name}");
        };
    }

    private async Task<ResultRow> MeasureAsync(
        string workload,
        IMessagingSystem system,
        string ack,
        long records,
        int size,
        Func<CancellationToken, Task<TimeSpan>> run,
        LatencyRecorder? recorder,
        Func<double, string?> ofLimit,
        CancellationToken cancellationToken)
    {
        Log($"{workload}: {system.Name}, {records:N0} records");
        var pids = system.BrokerPids;
        foreach (var pid in pids)
        {
            ProcessSample.ResetPeak(pid);
        }

        var cpuBefore = pids.Sum(ProcessSample.CpuSeconds);
        ResultRow row;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PhaseTimeout);
            var elapsed = await run(timeout.Token).ConfigureAwait(false);
            var cpu = pids.Sum(ProcessSample.CpuSeconds) - cpuBefore;
            var rss = pids.Sum(ProcessSample.PeakRssBytes) / (1024.0 * 1024.0);
            var recordsPerSecond = records / elapsed.TotalSeconds;
            var bytesPerSecond = recordsPerSecond * size;
            row = new ResultRow(workload, system.Name, ack, records, size, elapsed.TotalSeconds, recordsPerSecond, bytesPerSecond / 1e6, recorder?.Summary(), cpu / records * 1e6, rss, ofLimit(bytesPerSecond), null);
            Log(string.Create(CultureInfo.InvariantCulture, $"  {recordsPerSecond:N0} records/s, {bytesPerSecond / 1e6:N1} MB/s{LatencyText(row.Latency)}, broker CPU {cpu:F1} s, peak RSS {rss:N0} MiB"));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            row = Failed(workload, system, ack, records, size, e);
            Log($"  failed: {row.Error}");
        }

        _rows.Add(row);
        return row;
    }

    private static ResultRow Failed(string workload, IMessagingSystem system, string ack, long records, int size, Exception e) =>
        new(workload, system.Name, ack, records, size, 0, 0, 0, null, null, null, null, $"{e.GetBaseException().GetType().Name}: {e.GetBaseException().Message}");

    private static string LatencyText(LatencySummary? latency) => latency is null
        ? ""
        : string.Create(CultureInfo.InvariantCulture, $", p50 {latency.P50Ms:F2} ms, p99 {latency.P99Ms:F2} ms, p99.9 {latency.P999Ms:F2} ms, max {latency.MaxMs:F2} ms");

    private static string SystemId(IMessagingSystem system) => system switch
    {
        ActorStreamNativeSystem => "native",
        ConfluentKafkaSystem => "kafka",
        NatsJetStreamSystem => "nats",
        _ => "redis",
    };

    private static string SizeName(int size) => size >= 1024 ? $"{size / 1024} KiB" : $"{size} B";

    private static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";

    private void Log(string message) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,6:F1} s] {message}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }
    }
}
