using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;
using ActorStream.TestKit;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// Cuts the link between two nodes of a throttled <see cref="TestCluster"/> (DESIGN.md section 8): the victim's throttler
/// drops everything to and from the peer, both ways, so setting it on the victim's side alone is enough. The TCP connection
/// stays up; nothing crosses it until <see cref="HealAsync"/>. A new incarnation of the victim starts without the cut.
/// </summary>
public static class NetworkCut
{
    public static Task BlackholeAsync(TestCluster cluster, int victim, int peer) =>
        SetAsync(cluster, victim, peer, Blackhole.Instance);

    public static Task HealAsync(TestCluster cluster, int victim, int peer) =>
        SetAsync(cluster, victim, peer, Unthrottled.Instance);

    private static async Task SetAsync(TestCluster cluster, int victim, int peer, ThrottleMode mode)
    {
        if (!cluster.Throttled)
        {
            throw new InvalidOperationException("The cluster was started without the throttler transport adapter");
        }

        var transport = ((IRemoteActorRefProvider)((ExtendedActorSystem)cluster[victim].System).Provider).Transport;
        var applied = await transport.ManagementCommand(new SetThrottle(cluster.AddressOf(peer), ThrottleTransportAdapter.Direction.Both, mode)).ConfigureAwait(false);
        if (!applied)
        {
            throw new InvalidOperationException($"Node {victim}'s transport did not apply {mode.GetType().Name} towards node {peer}");
        }
    }
}
