using Akka;
using Akka.Streams.Dsl;
using ActorStream.Client.Config;
using ActorStream.Client.Consumer;
using ActorStream.Client.Serialization;

namespace ActorStream.Client.Streams;

/// <summary>Akka.Streams sources over an assigned <see cref="IConsumer{TKey,TValue}"/>, or over a consumer group.</summary>
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

    /// <summary>
    /// Joins the consumer group <c>group.id</c> of <paramref name="config"/> for <paramref name="topics"/> (a consumer of its
    /// own per materialization, auto-commit off) and emits records with the offset to commit once processed, e.g. with
    /// <see cref="Committer.Sink"/>: at-least-once. Polls only while downstream demands records; a poll error fails the
    /// stream. Commits wait at most one poll (<paramref name="pollTimeout"/>, default 50 ms) for the consumer. When the source
    /// stops, its consumer stays open for commits until <see cref="IConsumerControl.Shutdown"/> or
    /// <paramref name="stopTimeout"/> (default 30 s), then leaves the group; use <see cref="IConsumerControl.DrainAndShutdown"/>.
    /// </summary>
    public static Source<CommittableMessage<TKey, TValue>, IConsumerControl> CommittableSource<TKey, TValue>(
        ConsumerConfig config,
        IEnumerable<string> topics,
        IDeserializer<TKey>? keyDeserializer = null,
        IDeserializer<TValue>? valueDeserializer = null,
        TimeSpan? pollTimeout = null,
        TimeSpan? stopTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(topics);
        var groupConfig = config with { EnableAutoCommit = false };
        groupConfig.Validate();
        var groupId = string.IsNullOrEmpty(groupConfig.GroupId)
            ? throw new ArgumentException("A committable source needs group.id", nameof(config))
            : groupConfig.GroupId;
        var topicList = topics.Distinct(StringComparer.Ordinal).ToList();
        if (topicList.Count == 0 || topicList.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("A committable source needs at least one non-empty topic name", nameof(topics));
        }

        var poll = pollTimeout ?? TimeSpan.FromMilliseconds(50);
        var stop = stopTimeout ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(poll, TimeSpan.Zero, nameof(pollTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(stop, TimeSpan.Zero, nameof(stopTimeout));
        return Source.FromGraph(new CommittableSourceStage<TKey, TValue>(
            () => new Consumer<TKey, TValue>(groupConfig, keyDeserializer, valueDeserializer), groupId, topicList, poll, stop));
    }
}
