using ActorStream.Client;
using ActorStream.Client.Admin;
using ActorStream.Protocol;

namespace ActorStream.Kafka.Tests.Support;

/// <summary>A topic with replication factor 3 on a <see cref="KafkaCluster"/>, created and watched through the native admin client.</summary>
public static class ReplicatedTopic
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Retried: until all three nodes have registered, RF 3 is refused (or the controller is still starting); a lost
    /// reply may leave the topic created.
    /// </summary>
    public static Task CreateAsync(AdminClient admin, string topic, int partitions) =>
        Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    await admin.CreateTopicsAsync(topic, partitions, 3, new Dictionary<string, string> { ["min.insync.replicas"] = "2" });
                    return true;
                }
                catch (ActorStreamException e) when (e.ErrorCode == ErrorCode.TopicAlreadyExists)
                {
                    return true;
                }
                catch (ActorStreamException e) when (e.ErrorCode is ErrorCode.InvalidReplicationFactor or ErrorCode.RequestTimedOut)
                {
                    return false;
                }
            },
            Patience,
            $"creating topic {topic} with replication factor 3");

    /// <summary>Waits until every partition has 3 in-sync replicas and is led by its preferred leader; returns the description.</summary>
    public static async Task<TopicDescription> WaitForFullIsrAsync(AdminClient admin, string topic, int partitions, string what, Func<string>? context = null)
    {
        TopicDescription? last = null;
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    last = (await admin.DescribeTopicsAsync([topic])).Single();
                }
                catch (ActorStreamException)
                {
                    return false;
                }

                // Led by the preferred leader too: until auto leader rebalance has moved it back, a leader is about to change.
                return last.Partitions.Count == partitions && last.Partitions.All(p => p.Replicas.Count == 3 && p.Isr.Count == 3 && p.Leader == p.Replicas[0]);
            },
            Patience,
            $"{what} (and led by its preferred leader); last seen: {Describe(last)}\n{context?.Invoke()}");
        return last!;
    }

    public static string Describe(TopicDescription? topic) => topic is null
        ? "nothing"
        : string.Join("; ", topic.Partitions.Select(p => $"p{p.Partition} leader {p.Leader} epoch {p.LeaderEpoch} isr [{string.Join(',', p.Isr)}]"));
}
