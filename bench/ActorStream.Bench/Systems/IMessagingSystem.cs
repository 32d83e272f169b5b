using ActorStream.Bench.Measurement;

namespace ActorStream.Bench.Systems;

/// <summary>
/// One system under test, driven through its usual .NET client. Every method times only the data transfer (from the
/// first send, or from the consumer's start, to the last acknowledgement or record) and returns that time.
/// </summary>
internal interface IMessagingSystem : IAsyncDisposable
{
    /// <summary>Short name in the table.</summary>
    string Name { get; }

    /// <summary>What an acknowledgement means for this system as run here.</summary>
    string Ack { get; }

    /// <summary>The broker processes whose CPU time and RSS the table reports.</summary>
    IReadOnlyList<int> BrokerPids { get; }

    /// <summary>A topic (or streams, or keys) with <paramref name="partitions"/> partitions; <paramref name="replicas"/> where supported.</summary>
    Task CreateAsync(string topic, int partitions, int replicas, CancellationToken cancellationToken);

    Task<TimeSpan> ProduceAsync(ProduceJob job, CancellationToken cancellationToken);

    Task<TimeSpan> ConsumeAsync(ConsumeJob job, CancellationToken cancellationToken);

    /// <summary>A consumer tails the topic while a paced producer sends stamped records; latencies go to <paramref name="recorder"/>.</summary>
    Task<TimeSpan> LatencyAsync(LatencyJob job, LatencyRecorder recorder, CancellationToken cancellationToken);

    /// <summary>Frees what the topic holds (Redis keeps everything in memory).</summary>
    Task DeleteAsync(string topic, int partitions, CancellationToken cancellationToken);
}

/// <summary>How a producer runs.</summary>
internal enum ProduceMode
{
    /// <summary>Every record's acknowledgement is awaited, at most 1,000 in flight; the client's defaults otherwise.</summary>
    Acknowledged,

    /// <summary>As fast as the client goes: big batches (linger, batch size) and a deep window.</summary>
    Throughput,
}

internal sealed record ProduceJob(string Topic, int Partitions, long Records, int RecordSize, ProduceMode Mode, string Acks = "1")
{
    public const int AcknowledgedWindow = 1_000;

    /// <summary>Peers have no batching knob: their throughput mode is the same client with a deeper window.</summary>
    public const int ThroughputWindow = 10_000;

    public int Window => Mode == ProduceMode.Acknowledged ? AcknowledgedWindow : ThroughputWindow;

    public byte[] NewValue()
    {
        var value = new byte[RecordSize];
        new Random(42).NextBytes(value);
        return value;
    }
}

/// <summary>Reads the first <c>Records</c> records of every partition from the beginning (no group, no commits).</summary>
internal sealed record ConsumeJob(string Topic, int Partitions, long Records)
{
    public static readonly TimeSpan Idle = TimeSpan.FromSeconds(20);

    /// <summary>Records partition <paramref name="partition"/> holds when the producer spread them round-robin.</summary>
    public long RecordsIn(int partition) => (Records / Partitions) + (partition < Records % Partitions ? 1 : 0);
}

/// <summary><c>Records</c> stamped records at <c>Rate</c> per second to one partition; the first <c>Warmup</c> are not recorded.</summary>
internal sealed record LatencyJob(string Topic, long Records, int RecordSize, int Rate, long Warmup, string Acks = "1");

/// <summary>ActorStream's clients: several consumer groups, each reading the whole topic at once.</summary>
internal interface IConsumerGroupSystem : IMessagingSystem
{
    /// <summary>Every group (one member each, subscribed) reads all <c>Records</c> records; returns when the slowest is done.</summary>
    Task<TimeSpan> ConsumeInGroupsAsync(ConsumeJob job, int groups, CancellationToken cancellationToken);
}

