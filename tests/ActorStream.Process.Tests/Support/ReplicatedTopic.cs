using ActorStream.Client;
using ActorStream.Client.Admin;
using ActorStream.Protocol;
using ActorStream.TestKit;

namespace ActorStream.Process.Tests.Support;

/// <summary>The failover specs' topic on a 3-node <see cref="ProcessCluster"/>: replication factor 3, min.insync.replicas 2.</summary>
public static class ReplicatedTopic
{
    /// <summary>
    /// Retried: until all three nodes have registered, RF 3 is refused (or the controller is still starting); a lost
    /// reply may leave the topic created.
    /// </summary>
    public static Task CreateAsync(AdminClient admin, string topic, int partitions, TimeSpan patience) =>
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
            patience,
            "creating the topic with replication factor 3");
}
