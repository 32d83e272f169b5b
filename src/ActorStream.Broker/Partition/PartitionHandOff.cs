namespace ActorStream.Broker.Partition;

/// <summary>
/// The stop message sharding sends a partition entity when its shard is handed off (a node stopping cleanly, a
/// rebalance): a leader first saves a last high-watermark checkpoint, so the partition's journal proves everything
/// that was committed, then stops. Local only (the shard sends it to its own entities).
/// </summary>
public sealed class PartitionHandOff
{
    public static readonly PartitionHandOff Instance = new();

    private PartitionHandOff()
    {
    }
}
