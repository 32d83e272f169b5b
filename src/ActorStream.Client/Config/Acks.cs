namespace ActorStream.Client.Config;

/// <summary>Kafka's <c>acks</c>: how many replicas must have a batch before the broker answers.</summary>
public enum Acks
{
    /// <summary><c>acks=0</c>: the broker does not answer; offsets are unknown (-1).</summary>
    None = 0,

    /// <summary><c>acks=1</c>: the leader stored it.</summary>
    Leader = 1,

    /// <summary><c>acks=all</c> (-1): every in-sync replica stored it.</summary>
    All = -1,
}
