using Akka;
using Akka.Streams.Dsl;
using ActorStream.Client.Consumer;

namespace ActorStream.Client.Streams;

/// <summary>Akka.Streams sources over an assigned <see cref="IConsumer{TKey,TValue}"/>.</summary>
public static class ConsumerStreams
{
    /// <summary>
    /// Emits the records of the consumer's assignment, polling when downstream demands more; never completes on its
    /// own (cancel it, e.g. with Take or a kill switch). The consumer must not be used elsewhere meanwhile.
    /// </summary>
    public static Source<ConsumeResult<TKey, TValue>, NotUsed> PlainSource<TKey, TValue>(IConsumer<TKey, TValue> consumer, TimeSpan? pollTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        var timeout = pollTimeout ?? TimeSpan.FromMilliseconds(500);
        return Source.UnfoldAsync<NotUsed, IReadOnlyList<ConsumeResult<TKey, TValue>>>(NotUsed.Instance, async state =>
            {
                var records = await consumer.PollAsync(timeout).ConfigureAwait(false);
                return Akka.Util.Option<(NotUsed, IReadOnlyList<ConsumeResult<TKey, TValue>>)>.Create((state, records));
            })
            .SelectMany(records => records);
    }
}
