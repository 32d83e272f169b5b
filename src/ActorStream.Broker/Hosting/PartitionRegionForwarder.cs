using Akka.Actor;

namespace ActorStream.Broker.Hosting;

/// <summary>
/// Stands in for the partition shard region while the node registers: the controller singleton must be able to answer
/// the registration before this node starts its region (a node the controller refuses, e.g. an empty data dir the
/// journal knows, must never host a partition), yet it needs a region to send <c>StartEntity</c> and deletes to.
/// Messages wait here until <see cref="RegionStarted"/>, then everything goes straight to the region.
/// </summary>
internal sealed class PartitionRegionForwarder : UntypedActor, IWithUnboundedStash
{
    public IStash Stash { get; set; } = null!;

    public static Props Props() => Akka.Actor.Props.Create(() => new PartitionRegionForwarder());

    protected override void OnReceive(object message)
    {
        if (message is RegionStarted started)
        {
            Stash.UnstashAll();
            Become(m => started.Region.Forward(m));
            return;
        }

        Stash.Stash();
    }

    /// <summary>The region is up: forward to it from now on.</summary>
    internal sealed record RegionStarted(IActorRef Region);
}
