using System.Collections.Immutable;

namespace ActorStream.Broker.Group;

/// <summary>
/// Subscriptions: a member's explicit topics plus, for a regex subscription, the known topics whose whole name matches its
/// pattern. The pattern is resolved whenever it is needed (not journaled), so the same journal gives the same state while
/// topics come and go.
/// </summary>
public sealed partial class GroupCoordinatorShard
{
    /// <summary>The topics the member is subscribed to now: its explicit topics and the known topics matching its pattern, sorted.</summary>
    public ImmutableArray<string> SubscribedTopics(GroupMember member)
    {
        var topics = OrEmpty(member.Topics).AsEnumerable();
        if (member.TopicPattern is { } pattern)
        {
            topics = topics.Concat(_topicPartitions.Keys.Where(topic => _topicPatterns.Matches(pattern, topic)));
        }

        return topics.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
    }

    /// <summary>
    /// True when the member subscribes to <paramref name="topic"/> by name or pattern, whether or not the topic is known (a
    /// deleted topic is no longer known but still concerns the members that had it).
    /// </summary>
    private bool IsSubscribed(GroupMember member, string topic) =>
        member.Topics.Contains(topic, StringComparer.Ordinal)
        || (member.TopicPattern is { } pattern && _topicPatterns.Matches(pattern, topic));

    /// <summary>The pattern a JoinGroup subscribes with: none in classic mode (the client resolves its regex there) or when empty.</summary>
    private static string? TopicPatternOf(JoinGroup command) =>
        command.Mode == GroupProtocolMode.Native && !string.IsNullOrEmpty(command.TopicPattern) ? command.TopicPattern : null;
}
