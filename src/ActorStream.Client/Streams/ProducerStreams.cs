using Akka;
using Akka.Streams.Dsl;
using ActorStream.Client.Producer;

namespace ActorStream.Client.Streams;

/// <summary>Akka.Streams stages over a <see cref="IProducer{TKey,TValue}"/> (which keeps its own batching).</summary>
public static class ProducerStreams
{
    /// <summary>
    /// Produces each element and emits its <see cref="RecordMetadata"/>, in element order. Up to
    /// <paramref name="parallelism"/> records are outstanding, which is what lets the producer batch them.
    /// </summary>
    public static Flow<ProducerMessage<TKey, TValue>, RecordMetadata, NotUsed> Flow<TKey, TValue>(IProducer<TKey, TValue> producer, int parallelism = 1000)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parallelism);
        return Akka.Streams.Dsl.Flow.Create<ProducerMessage<TKey, TValue>>()
            .SelectAsync(parallelism, m => producer.ProduceAsync(m.Topic, m.Key, m.Value, m.Partition, m.Timestamp, m.Headers));
    }

    /// <summary>Produces every element; the materialized task completes when all are stored (or faults on the first failure).</summary>
    public static Sink<ProducerMessage<TKey, TValue>, Task<Done>> Sink<TKey, TValue>(IProducer<TKey, TValue> producer, int parallelism = 1000) =>
        Flow(producer, parallelism).ToMaterialized(Akka.Streams.Dsl.Sink.Ignore<RecordMetadata>(), Keep.Right);
}
