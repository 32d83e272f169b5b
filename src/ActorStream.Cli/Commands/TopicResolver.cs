using ActorStream.Client;
using ActorStream.Client.Admin;
using ActorStream.Protocol;

namespace ActorStream.Cli.Commands;

/// <summary>
/// Finds the topic a consumer reads, as a Kafka consumer's metadata request does (<c>allow.auto.create.topics</c>): a
/// broker with <c>auto.create.topics.enable</c> creates a missing topic, one without it answers that the topic is
/// unknown, and then <c>consume</c> (with or without <c>--group</c>) fails at once instead of waiting for it.
/// </summary>
internal static class TopicResolver
{
    public static async Task<TopicDescription> DescribeOrCreateAsync(AdminClient admin, string topic, CancellationToken cancellationToken)
    {
        try
        {
            return (await admin.DescribeTopicsAsync([topic], allowAutoTopicCreation: true, cancellationToken)).Single();
        }
        catch (ActorStreamException e) when (e.ErrorCode == ErrorCode.UnknownTopicOrPartition)
        {
            throw new ActorStreamException(
                ErrorCode.UnknownTopicOrPartition,
                $"unknown topic {topic}: the broker does not create topics on first use (auto.create.topics.enable is off); create it with 'actorstream topics create --topic {topic}'");
        }
    }

    /// <summary>Every partition of <paramref name="topic"/>, or only <paramref name="only"/>.</summary>
    public static async Task<List<TopicPartition>> PartitionsAsync(AdminClient admin, string topic, int? only, CancellationToken cancellationToken)
    {
        var description = await DescribeOrCreateAsync(admin, topic, cancellationToken);
        var partitions = description.Partitions.Select(p => new TopicPartition(topic, p.Partition)).ToList();
        if (only is { } p)
        {
            if (p < 0 || p >= partitions.Count)
            {
                throw new ArgumentException($"Topic {topic} has no partition {p} (it has {partitions.Count})");
            }

            return [new TopicPartition(topic, p)];
        }

        return partitions;
    }
}
