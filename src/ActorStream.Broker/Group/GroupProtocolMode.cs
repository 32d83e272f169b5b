namespace ActorStream.Broker.Group;

/// <summary>How the members of a group get their assignment. All members of a non-empty group use the same mode.</summary>
public enum GroupProtocolMode
{
    /// <summary>Server-side assignment (like KIP-848): the coordinator runs the chosen assignor and every JoinGroup reply carries the member's partitions.</summary>
    Native,

    /// <summary>
    /// Kafka's classic protocol: the coordinator only relays. The leader's JoinGroup reply carries every member's
    /// subscription; the leader computes the assignment and sends it in SyncGroup; the other members get theirs from SyncGroup.
    /// </summary>
    Classic,

    /// <summary>
    /// Kafka clients through the Kafka gateway: like <see cref="Classic"/> (the leader computes the assignment), but the
    /// coordinator votes over protocol names, keeps each member's protocol metadata and the leader's assignments as opaque
    /// bytes and relays them byte for byte; the partitions the gateway decoded from them serve describe and lag only.
    /// </summary>
    Kafka,
}
