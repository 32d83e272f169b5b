using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// ListPartitionReassignments v0: the reassignments still running at the controller (all, or of the named partitions),
/// each with its current replica set, the replicas being added and those being removed.
/// </summary>
internal sealed class Api46ListPartitionReassignments : KafkaApi<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    protected override async ValueTask<ListPartitionReassignmentsResponse?> HandleAsync(KafkaRequestContext context, ListPartitionReassignmentsRequest request, CancellationToken cancellationToken)
    {
        var response = new ListPartitionReassignmentsResponse { ErrorMessage = null };
        var native = new Native.ListPartitionReassignmentsRequest();
        foreach (var topic in request.Topics ?? [])
        {
            if (topic.PartitionIndexes.Count == 0)
            {
                continue;
            }

            var wanted = new Native.ListPartitionReassignmentsTopic { Topic = topic.Name };
            wanted.Partitions.AddRange(topic.PartitionIndexes);
            native.Topics.Add(wanted);
        }

        if (request.Topics is not null && native.Topics.Count == 0)
        {
            return response;
        }

        var answer = await KafkaAdminRequests.AskAsync<Native.ListPartitionReassignmentsResponse>(context, native, KafkaAdminRequests.Timeout(context, request.TimeoutMs), cancellationToken).ConfigureAwait(false);
        if (answer is null || answer.ErrorCode != 0)
        {
            response.ErrorCode = answer is null ? (short)ErrorCode.RequestTimedOut : (short)answer.ErrorCode;
            response.ErrorMessage = answer is null ? "The controller did not answer in time" : answer.ErrorMessage;
            return response;
        }

        response.Topics.AddRange(answer.Reassignments.GroupBy(r => r.Topic, StringComparer.Ordinal).Select(g => new ListPartitionReassignmentsResponse.OngoingTopicReassignment
        {
            Name = g.Key,
            Partitions = g.Select(r => new ListPartitionReassignmentsResponse.OngoingPartitionReassignment
            {
                PartitionIndex = r.Partition,
                Replicas = [.. r.Replicas],
                AddingReplicas = [.. r.AddingReplicas],
                RemovingReplicas = [.. r.RemovingReplicas],
            }).ToList(),
        }));
        return response;
    }
}
