using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// AlterPartitionReassignments v0, onto the controller's replica reassignment (the <c>topics reassign</c> machinery):
/// the target replicas join and catch up, then the replica set becomes exactly the target. Per partition:
/// UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT (empty, duplicate or not-live replicas, or a reassignment
/// already under way: it is not replaced). A null replica list asks to cancel a reassignment, which the broker cannot
/// do: INVALID_REQUEST with a message saying so (NO_REASSIGNMENT_IN_PROGRESS when none runs).
/// </summary>
internal sealed class Api45AlterPartitionReassignments : KafkaApi<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>
{
    /// <summary>Kafka's NO_REASSIGNMENT_IN_PROGRESS.</summary>
    private const short NoReassignmentInProgress = 85;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    public override string Notes => "Cancelling (null replicas) is refused; a partition already being reassigned is refused, not redirected.";

    protected override async ValueTask<AlterPartitionReassignmentsResponse?> HandleAsync(KafkaRequestContext context, AlterPartitionReassignmentsRequest request, CancellationToken cancellationToken)
    {
        var native = new Native.ReassignPartitionsRequest();
        foreach (var topic in request.Topics)
        {
            foreach (var partition in topic.Partitions.Where(p => p.Replicas is not null))
            {
                var reassignment = new Native.PartitionReassignment { Topic = topic.Name, Partition = partition.PartitionIndex };
                reassignment.Replicas.AddRange(partition.Replicas!);
                native.Partitions.Add(reassignment);
            }
        }

        var timeout = KafkaAdminRequests.Timeout(context, request.TimeoutMs);
        var answer = native.Partitions.Count == 0 ? new Native.ReassignPartitionsResponse()
            : await KafkaAdminRequests.AskAsync<Native.ReassignPartitionsResponse>(context, native, timeout, cancellationToken).ConfigureAwait(false);
        var ongoing = new HashSet<(string, int)>();
        if (request.Topics.Any(t => t.Partitions.Any(p => p.Replicas is null)))
        {
            var listed = await KafkaAdminRequests.AskAsync<Native.ListPartitionReassignmentsResponse>(context, new Native.ListPartitionReassignmentsRequest(), timeout, cancellationToken).ConfigureAwait(false);
            ongoing.UnionWith((listed?.Reassignments ?? []).Select(r => (r.Topic, r.Partition)));
        }

        var response = new AlterPartitionReassignmentsResponse { ErrorMessage = null };
        foreach (var topic in request.Topics)
        {
            var topicResponse = new AlterPartitionReassignmentsResponse.ReassignableTopicResponse { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                var result = new AlterPartitionReassignmentsResponse.ReassignablePartitionResponse { PartitionIndex = partition.PartitionIndex, ErrorMessage = null };
                if (partition.Replicas is null && !ongoing.Contains((topic.Name, partition.PartitionIndex)))
                {
                    result.ErrorCode = NoReassignmentInProgress;
                    result.ErrorMessage = $"No reassignment of {topic.Name}-{partition.PartitionIndex} is in progress";
                }
                else if (partition.Replicas is null)
                {
                    result.ErrorCode = (short)ErrorCode.InvalidRequest;
                    result.ErrorMessage = $"Cancelling the reassignment of {topic.Name}-{partition.PartitionIndex} is not supported: a reassignment runs until its target replicas are in sync";
                }
                else if (answer?.Results.FirstOrDefault(r => r.Topic == topic.Name && r.Partition == partition.PartitionIndex) is { } done)
                {
                    result.ErrorCode = (short)done.ErrorCode;
                    result.ErrorMessage = done.ErrorCode == 0 ? null : done.ErrorMessage;
                }
                else
                {
                    result.ErrorCode = (short)ErrorCode.RequestTimedOut;
                    result.ErrorMessage = "The controller did not answer in time";
                }

                topicResponse.Partitions.Add(result);
            }

            response.Responses.Add(topicResponse);
        }

        return response;
    }
}
