using System.Collections.Immutable;

namespace ActorStream.Broker.Group.Assignors;

/// <summary>Shared plumbing of the assignors: a mutable member → partitions map and the topics the members subscribe to.</summary>
internal static class AssignmentMap
{
    public static Dictionary<string, List<GroupTopicPartition>> Empty(IEnumerable<AssignorMember> members) =>
        members.ToDictionary(m => m.MemberId, _ => new List<GroupTopicPartition>(), StringComparer.Ordinal);

    public static ImmutableDictionary<string, ImmutableArray<GroupTopicPartition>> ToImmutable(
        Dictionary<string, List<GroupTopicPartition>> map) =>
        map.ToImmutableDictionary(
            kv => kv.Key,
            kv => kv.Value.Order(GroupTopicPartition.Comparer).ToImmutableArray(),
            StringComparer.Ordinal);

    /// <summary>Every subscribed topic with a known positive partition count, in ordinal order.</summary>
    public static IEnumerable<(string Topic, int Partitions)> SubscribedTopics(
        IEnumerable<AssignorMember> members, IReadOnlyDictionary<string, int> partitionsPerTopic) =>
        members.SelectMany(m => m.Topics)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(t => (Topic: t, Partitions: partitionsPerTopic.TryGetValue(t, out var n) ? n : 0))
            .Where(t => t.Partitions > 0);
}
