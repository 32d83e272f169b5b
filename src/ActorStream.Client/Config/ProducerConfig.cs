using ActorStream.Storage.Compression;

namespace ActorStream.Client.Config;

/// <summary>
/// Producer settings with Kafka's names and defaults. <c>linger.ms</c> defaults to 0 (Kafka 3.x; Kafka 4 uses 5):
/// a batch leaves as soon as the node's sender can take it, and batches still pile up (and are piggybacked into
/// one request per node) while earlier requests are in flight.
/// </summary>
public sealed record ProducerConfig : ClientConfig
{
    /// <summary>
    /// Accepted and ignored: serializers are passed to the typed API; <c>partitioner.class</c> is Kafka's
    /// built-in one; the rest tune Kafka's own network client.
    /// </summary>
    public static readonly IReadOnlySet<string> IgnoredProperties = Ignored(
        "key.serializer", "value.serializer", "partitioner.class", "metadata.max.idle.ms", "transactional.id");

    public ProducerConfig()
    {
    }

    private ProducerConfig(PropertyReader p)
        : base(p)
    {
        Acks = p.Parse("acks", Acks, ParseAcks);
        LingerMs = p.Int("linger.ms", LingerMs, min: 0);
        BatchSize = p.Int("batch.size", BatchSize, min: 0);
        CompressionType = p.Parse("compression.type", CompressionType, CompressionCodec.Parse);
        BufferMemory = p.Long("buffer.memory", BufferMemory, min: 0);
        MaxBlockMs = p.Long("max.block.ms", MaxBlockMs, min: 0);
        Retries = p.Int("retries", Retries, min: 0);
        DeliveryTimeoutMs = p.Int("delivery.timeout.ms", DeliveryTimeoutMs, min: 1);
        MaxInFlightRequestsPerConnection = p.Int("max.in.flight.requests.per.connection", MaxInFlightRequestsPerConnection, min: 1);
        EnableIdempotence = p.BoolOrNull("enable.idempotence");
        MaxRequestSize = p.Int("max.request.size", MaxRequestSize, min: 1);
    }

    /// <summary><c>acks</c>: 0, 1 or all (-1). Default all.</summary>
    public Acks Acks { get; init; } = Acks.All;

    /// <summary><c>linger.ms</c>: how long a batch waits for more records before it is ready. Default 0.</summary>
    public int LingerMs { get; init; }

    /// <summary><c>batch.size</c>: a batch is ready once its records take this many bytes.</summary>
    public int BatchSize { get; init; } = 16_384;

    /// <summary><c>compression.type</c>: none, gzip, snappy, lz4 or zstd.</summary>
    public CompressionType CompressionType { get; init; } = CompressionType.None;

    /// <summary><c>buffer.memory</c>: bytes of records waiting to be sent before produce calls block.</summary>
    public long BufferMemory { get; init; } = 33_554_432;

    /// <summary><c>max.block.ms</c>: how long a produce call may wait for metadata or buffer space.</summary>
    public long MaxBlockMs { get; init; } = 60_000;

    /// <summary><c>retries</c>: resend attempts for a batch that failed with a retriable error.</summary>
    public int Retries { get; init; } = int.MaxValue;

    /// <summary><c>delivery.timeout.ms</c>: upper bound from a record's produce call to its success or failure.</summary>
    public int DeliveryTimeoutMs { get; init; } = 120_000;

    /// <summary><c>max.in.flight.requests.per.connection</c>: unanswered produce requests per node.</summary>
    public int MaxInFlightRequestsPerConnection { get; init; } = 5;

    /// <summary>
    /// <c>enable.idempotence</c>: null (not set) means true unless <c>acks</c> is not all or more than 5 requests
    /// may be in flight, as in Kafka; explicitly true with such settings is a configuration error.
    /// </summary>
    public bool? EnableIdempotence { get; init; }

    /// <summary><c>max.request.size</c>: the largest record (and produce request) the producer sends.</summary>
    public int MaxRequestSize { get; init; } = 1_048_576;

    /// <summary>Test hook: observe or drop produce requests and responses.</summary>
    internal Producer.ProducerInterceptor? Interceptor { get; init; }

    internal bool IdempotenceEnabled =>
        EnableIdempotence ?? (Acks == Acks.All && MaxInFlightRequestsPerConnection <= 5 && Retries > 0);

    public static ProducerConfig FromProperties(IDictionary<string, string> properties) =>
        Load(properties, reader => new ProducerConfig(reader), IgnoredProperties);

    public override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(Acks))
        {
            throw new ArgumentException($"Invalid value {(int)Acks} for configuration acks: expected 0, 1 or all", "acks");
        }

        ConfigValidation.InRange("linger.ms", LingerMs, 0);
        ConfigValidation.InRange("batch.size", BatchSize, 0);
        ConfigValidation.AtLeast("buffer.memory", BufferMemory, 0);
        ConfigValidation.AtLeast("max.block.ms", MaxBlockMs, 0);
        ConfigValidation.InRange("retries", Retries, 0);
        ConfigValidation.InRange("max.in.flight.requests.per.connection", MaxInFlightRequestsPerConnection, 1);
        ConfigValidation.InRange("max.request.size", MaxRequestSize, 1);
        if (DeliveryTimeoutMs < (long)LingerMs + RequestTimeoutMs)
        {
            throw new ArgumentException(
                $"delivery.timeout.ms ({DeliveryTimeoutMs}) must be at least linger.ms + request.timeout.ms ({(long)LingerMs + RequestTimeoutMs})",
                "delivery.timeout.ms");
        }

        if (EnableIdempotence == true)
        {
            if (Acks != Acks.All)
            {
                throw new ArgumentException("enable.idempotence=true requires acks=all", "acks");
            }

            if (MaxInFlightRequestsPerConnection > 5)
            {
                throw new ArgumentException("enable.idempotence=true requires max.in.flight.requests.per.connection <= 5", "max.in.flight.requests.per.connection");
            }

            if (Retries == 0)
            {
                throw new ArgumentException("enable.idempotence=true requires retries > 0", "retries");
            }
        }
    }

    private static Acks ParseAcks(string text) => text.Trim().ToLowerInvariant() switch
    {
        "0" => Acks.None,
        "1" => Acks.Leader,
        "all" or "-1" => Acks.All,
        _ => throw new ArgumentException("expected 0, 1, all or -1"),
    };
}
