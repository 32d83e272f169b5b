namespace ActorStream.Broker.Controller;

/// <summary>
/// Spreads partition replicas over nodes like Kafka's rack-unaware assignment: partition p's first replica is node
/// (start + p) mod n, the others follow with a shift, so leaders and followers are balanced.
/// </summary>
public static class ReplicaAssignment
{
    public static IReadOnlyList<int[]> Assign(IReadOnlyList<int> nodeIds, int partitions, int replicationFactor, int startIndex)
    {
        var nodes = nodeIds.Order().ToArray();
        if (replicationFactor > nodes.Length)
        {
            throw new ArgumentException($"Replication factor {replicationFactor} is larger than the {nodes.Length} available nodes", nameof(replicationFactor));
        }

        var result = new List<int[]>(partitions);
        var shift = nodes.Length > 1 ? startIndex % (nodes.Length - 1) : 0;
        for (var p = 0; p < partitions; p++)
        {
            if (p > 0 && p % nodes.Length == 0)
            {
                shift++;
            }

            var first = (startIndex + p) % nodes.Length;
            var replicas = new int[replicationFactor];
            replicas[0] = nodes[first];
            for (var r = 1; r < replicationFactor; r++)
            {
                var step = 1 + ((shift + r - 1) % (nodes.Length - 1));
                replicas[r] = nodes[(first + step) % nodes.Length];
            }

            result.Add(replicas);
        }

        return result;
    }
}
