namespace ActorStream.Broker.Controller;

/// <summary>
/// The controller's tombstones: the ids of deleted topics, oldest first, published in every metadata snapshot
/// (<c>MetadataSnapshot.deleted_topic_ids</c>) so that every replica deletes its copy of a deleted topic, also a node
/// that was down during the deletion, once it rejoins and gets its first snapshot.
/// <para>
/// Bounded to the most recent <see cref="Capacity"/> ids: topic ids are random UUIDs, never reused, so a tombstone only
/// has to outlive the nodes that were down while the topic was deleted. A node that stays down through
/// <see cref="Capacity"/> later deletions keeps its copy of the forgotten topic (never wrongly deleted data; the
/// directory can be removed by hand). At 32 characters an id, the full set adds about 350 KB to every snapshot.
/// </para>
/// Not thread-safe: the controller's state.
/// </summary>
internal sealed class DeletedTopicIds
{
    /// <summary>How many tombstones are kept (the oldest go first).</summary>
    public const int Capacity = 1_000;

    private readonly Queue<string> _order = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    public int Count => _order.Count;

    /// <summary>The ids, oldest first.</summary>
    public IEnumerable<string> OldestFirst => _order;

    public bool Contains(string topicId) => _ids.Contains(topicId);

    /// <summary>Records a deletion; a known id keeps its place, and beyond <see cref="Capacity"/> the oldest id is forgotten.</summary>
    public void Add(string topicId)
    {
        if (string.IsNullOrEmpty(topicId) || !_ids.Add(topicId))
        {
            return;
        }

        _order.Enqueue(topicId);
        while (_order.Count > Capacity)
        {
            _ids.Remove(_order.Dequeue());
        }
    }

    /// <summary>Replaces the content with <paramref name="oldestFirst"/> (a controller snapshot being applied).</summary>
    public void Reset(IEnumerable<string> oldestFirst)
    {
        _order.Clear();
        _ids.Clear();
        foreach (var id in oldestFirst)
        {
            Add(id);
        }
    }
}
