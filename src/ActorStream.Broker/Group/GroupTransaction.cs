using System.Collections.Immutable;

namespace ActorStream.Broker.Group;

/// <summary>
/// A handler's scratch copy of one group: <see cref="Emit"/> records an event and evolves the copy with the same
/// <see cref="ConsumerGroup.Evolve"/> that <see cref="GroupCoordinatorShard.Apply"/> uses, so later decisions of the same
/// handler see earlier events. The shard itself is untouched until the caller applies <see cref="Events"/>.
/// </summary>
internal sealed class GroupTransaction(ConsumerGroup? group)
{
    private readonly ImmutableArray<IGroupEvent>.Builder _events = ImmutableArray.CreateBuilder<IGroupEvent>();

    public ConsumerGroup? Group { get; private set; } = group;

    public ConsumerGroup Current => Group ?? throw new InvalidOperationException("The transaction's group does not exist");

    public ImmutableArray<IGroupEvent> Events => _events.ToImmutable();

    public void Emit(IGroupEvent e)
    {
        Group = ConsumerGroup.Evolve(Group, e);
        _events.Add(e);
    }
}
