using ActorStream.Client.Config;
using ActorStream.Client.Consumer;

namespace ActorStream.Client.Tests.Support;

internal static class Clients
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Polls until <paramref name="count"/> records arrived (or fails after <see cref="Patience"/>).</summary>
    public static async Task<List<ConsumeResult<TKey, TValue>>> ConsumeAsync<TKey, TValue>(IConsumer<TKey, TValue> consumer, int count)
    {
        var records = new List<ConsumeResult<TKey, TValue>>();
        using var cts = new CancellationTokenSource(Patience);
        while (records.Count < count)
        {
            cts.Token.ThrowIfCancellationRequested();
            records.AddRange(await consumer.PollAsync(TimeSpan.FromSeconds(1), cts.Token));
        }

        return records;
    }

    public static ConsumerConfig Consumer(string bootstrap, AutoOffsetReset reset = AutoOffsetReset.Earliest) =>
        new() { BootstrapServers = bootstrap, AutoOffsetReset = reset, FetchMaxWaitMs = 100 };
}
