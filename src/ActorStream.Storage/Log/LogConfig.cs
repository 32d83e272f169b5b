using System.Globalization;

namespace ActorStream.Storage.Log;

/// <summary>
/// Per-partition log settings, named and defaulted as Kafka's topic configs. Immutable: change with <c>with</c>.
/// </summary>
public sealed record LogConfig
{
    public static readonly LogConfig Default = new();

    /// <summary><c>segment.bytes</c>: roll the active segment before it grows past this size.</summary>
    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;

    /// <summary><c>segment.ms</c>: roll a non-empty active segment older than this.</summary>
    public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>index.interval.bytes</c>: bytes between two offset index entries.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary><c>segment.index.bytes</c>: roll when the offset index reaches this size.</summary>
    public int SegmentIndexBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary><c>retention.ms</c>: delete closed segments whose newest record is older; -1 keeps forever.</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>retention.bytes</c>: delete the oldest closed segments while the log is larger; -1 = no limit.</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary><c>max.message.bytes</c>: the largest batch accepted (Kafka's default, 1 MiB + 12).</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024 + 12;

    /// <summary><c>flush.messages</c>: fsync after this many records; 1 fsyncs every append. Default: never (page cache).</summary>
    public long FlushMessages { get; init; } = long.MaxValue;

    /// <summary><c>flush.ms</c>: fsync when the oldest unflushed append is this old. Default: never (page cache).</summary>
    public long FlushMs { get; init; } = long.MaxValue;

    /// <summary>Cap on one batch's decompressed size when records are decoded (zip-bomb guard).</summary>
    public int MaxDecompressedBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>True when every append is forced to disk before it returns.</summary>
    public bool FlushEveryAppend => FlushMessages <= 1;

    /// <summary>The Kafka topic-config names this type understands.</summary>
    public static IReadOnlyList<string> KafkaPropertyNames { get; } =
    [
        "segment.bytes", "segment.ms", "index.interval.bytes", "segment.index.bytes", "retention.ms",
        "retention.bytes", "max.message.bytes", "flush.messages", "flush.ms",
    ];

    /// <summary>
    /// Applies Kafka topic configs (<c>retention.ms=60000</c>, ...) on top of this config.
    /// Unknown names and bad values throw <see cref="ArgumentException"/> naming the key.
    /// </summary>
    public LogConfig With(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var config = this;
        foreach (var (key, value) in properties)
        {
            config = key switch
            {
                "segment.bytes" => config with { SegmentBytes = ParseInt(key, value, min: 14) },
                "segment.ms" => config with { SegmentMs = ParseLong(key, value, min: 1) },
                "index.interval.bytes" => config with { IndexIntervalBytes = ParseInt(key, value, min: 0) },
                "segment.index.bytes" => config with { SegmentIndexBytes = ParseInt(key, value, min: 8) },
                "retention.ms" => config with { RetentionMs = ParseLong(key, value, min: -1) },
                "retention.bytes" => config with { RetentionBytes = ParseLong(key, value, min: -1) },
                "max.message.bytes" => config with { MaxMessageBytes = ParseInt(key, value, min: 0) },
                "flush.messages" => config with { FlushMessages = ParseLong(key, value, min: 1) },
                "flush.ms" => config with { FlushMs = ParseLong(key, value, min: 0) },
                _ => throw new ArgumentException($"Unknown log config '{key}'; known: {string.Join(", ", KafkaPropertyNames)}"),
            };
        }

        return config;
    }

    private static long ParseLong(string key, string value, long min)
    {
        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) || parsed < min)
        {
            throw new ArgumentException($"Invalid value '{value}' for {key}: expected an integer ≥ {min}");
        }

        return parsed;
    }

    private static int ParseInt(string key, string value, int min)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) || parsed < min)
        {
            throw new ArgumentException($"Invalid value '{value}' for {key}: expected an integer between {min} and {int.MaxValue}");
        }

        return parsed;
    }
}
