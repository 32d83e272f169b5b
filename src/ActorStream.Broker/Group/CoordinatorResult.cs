using System.Collections.Immutable;

namespace ActorStream.Broker.Group;

/// <summary>
/// What a <see cref="GroupCoordinatorShard"/> handler returns, like Kafka's <c>CoordinatorResult</c>: the events to persist and
/// the reply. The handler does not change the shard: the caller persists <see cref="Events"/> and applies each with
/// <see cref="GroupCoordinatorShard.Apply"/> (the same method recovery uses), then sends <see cref="Response"/>.
/// </summary>
public sealed record CoordinatorResult<TResponse>(ImmutableArray<IGroupEvent> Events, TResponse Response);
