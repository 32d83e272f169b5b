using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ActorStream.Storage.Records;

namespace ActorStream.Benchmarks.Workloads;

/// <summary>
/// What a codec sees in production: the records section of an uncompressed batch of JSON events, with the
/// repetition (field names, enums) and entropy (ids, numbers) of real telemetry. Deterministic (seeded).
/// </summary>
public static class JsonRecordsPayload
{
    /// <summary>Exactly 1 MiB, so MiB/s is simply 1 / Mean in seconds.</summary>
    public const int Size = 1024 * 1024;

    private static readonly Lazy<byte[]> LazyBytes = new(Generate);

    private static readonly string[] EventTypes = ["page_view", "add_to_cart", "checkout", "search", "login", "logout"];
    private static readonly string[] Countries = ["DE", "FR", "US", "GB", "NL", "SE", "PL", "ES", "IT", "JP"];
    private static readonly string[] Devices = ["mobile", "desktop", "tablet"];
    private static readonly string[] Browsers = ["Chrome/131.0", "Firefox/133.0", "Safari/18.1", "Edge/131.0"];

    public static byte[] Bytes => LazyBytes.Value;

    private static byte[] Generate()
    {
        var random = new Random(20240611);
        using var builder = new RecordBatchBuilder(initialCapacity: Size + 64 * 1024);
        var json = new ArrayBufferWriter<byte>(512);
        using var writer = new Utf8JsonWriter(json);
        var timestamp = SampleRecords.BaseTimestamp;
        Span<byte> eventId = stackalloc byte[16];
        while (builder.EstimatedSizeInBytes - RecordBatch.RecordsOffset < Size)
        {
            timestamp += random.Next(0, 50);
            random.NextBytes(eventId);
            var userId = "user-" + random.Next(1, 50_000).ToString("D6", CultureInfo.InvariantCulture);

            json.ResetWrittenCount();
            writer.Reset();
            writer.WriteStartObject();
            writer.WriteString("eventId", new Guid(eventId));
            writer.WriteString("type", Pick(random, EventTypes));
            writer.WriteString("userId", userId);
            writer.WriteNumber("sessionId", random.Next(1_000_000, 9_999_999));
            writer.WriteString("page", "/products/sku-" + random.Next(1, 20_000).ToString("D5", CultureInfo.InvariantCulture));
            writer.WriteString("country", Pick(random, Countries));
            writer.WriteString("device", Pick(random, Devices));
            writer.WriteString("userAgent", "Mozilla/5.0 " + Pick(random, Browsers));
            writer.WriteNumber("durationMs", random.Next(1, 30_000));
            writer.WriteNumber("price", random.Next(100, 100_000) / 100m);
            writer.WriteNumber("ts", timestamp);
            writer.WriteEndObject();
            writer.Flush();

            builder.Append(timestamp, Encoding.UTF8.GetBytes(userId), json.WrittenSpan);
        }

        // Cut at exactly Size bytes; a codec does not care that the last record is cut short.
        return builder.Build().AsSpan(RecordBatch.RecordsOffset, Size).ToArray();
    }

    private static string Pick(Random random, string[] choices) => choices[random.Next(choices.Length)];
}
