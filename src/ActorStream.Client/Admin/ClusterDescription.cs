namespace ActorStream.Client.Admin;

/// <summary>The cluster as its metadata describes it (Kafka's <c>describeCluster</c>): its id, the controller's node, every broker.</summary>
public sealed record ClusterDescription(string ClusterId, int ControllerId, IReadOnlyList<BrokerDescription> Brokers);

/// <summary>
/// One broker: its node id, the native address clients bootstrap from, and its Kafka listeners as it advertises them
/// (<c>NAME://host:port</c>, Kafka's <c>advertised.listeners</c>; empty when the node runs no Kafka gateway).
/// </summary>
public sealed record BrokerDescription(int NodeId, string Host, int Port, IReadOnlyList<string> KafkaListeners);
