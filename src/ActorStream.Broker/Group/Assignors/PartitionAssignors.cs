using System.Collections.Frozen;

namespace ActorStream.Broker.Group.Assignors;

/// <summary>The server-side assignors the coordinator knows, by protocol name.</summary>
public static class PartitionAssignors
{
    public static IReadOnlyList<IPartitionAssignor> All { get; } =
        [new RangeAssignor(), new RoundRobinAssignor(), new CooperativeStickyAssignor()];

    private static readonly FrozenDictionary<string, IPartitionAssignor> ByName =
        All.ToFrozenDictionary(a => a.Name, StringComparer.Ordinal);

    public static IPartitionAssignor? Find(string name) => ByName.GetValueOrDefault(name);
}
