using ActorStream.Client.Consumer;

namespace ActorStream.Client.Streams;

/// <summary>A consumed record with the offset to commit once it is processed.</summary>
public sealed record CommittableMessage<TKey, TValue>(ConsumeResult<TKey, TValue> Record, CommittableOffset CommittableOffset);
