using System.Text;
using ActorStream.Storage.Compression;
using ActorStream.Storage.Records;

namespace ActorStream.Storage.Tests.Support;

/// <summary>Builds record batches for tests: values are "v{n}" padded to a size, keys "k{n}".</summary>
public static class TestBatches
{
    public static byte[] Create(int records, int valueSize = 10, long timestamp = 1_000, CompressionType compression = CompressionType.None, int firstValue = 0)
    {
        using var builder = new RecordBatchBuilder(compression);
        for (var i = 0; i < records; i++)
        {
            builder.Append(timestamp + i, Encoding.UTF8.GetBytes($"k{firstValue + i}"), Value(firstValue + i, valueSize));
        }

        return builder.Build();
    }

    public static byte[] Value(int n, int size)
    {
        var text = $"v{n}";
        var bytes = new byte[Math.Max(size, text.Length)];
        Array.Fill(bytes, (byte)'.');
        Encoding.UTF8.GetBytes(text).CopyTo(bytes, 0);
        return bytes;
    }

    public static string ValueText(ReadOnlyMemory<byte>? value) =>
        value is { } v ? Encoding.UTF8.GetString(v.Span).TrimEnd('.') : "<null>";

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
