using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// CreatePartitions v0-3, through the node's endpoint to the controller: a topic grows to <c>count</c> partitions
/// (INVALID_PARTITIONS when the count is not larger: partitions are never removed), the new ones spread like a new
/// topic's or placed by the request's assignments (one per new partition, each with the topic's replication factor,
/// all live nodes: else INVALID_REPLICA_ASSIGNMENT). validate_only checks and adds nothing; timeout_ms bounds the wait
/// for the new partitions' leaders (0: none).
/// </summary>
internal sealed class Api37CreatePartitions : KafkaApi<CreatePartitionsRequest, CreatePartitionsResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    public override string Notes => "validate_only and manual assignments supported; timeout_ms bounds the wait for the new leaders (0: none).";

    protected override async ValueTask<CreatePartitionsResponse?> HandleAsync(KafkaRequestContext context, CreatePartitionsRequest request, CancellationToken cancellationToken)
    {
        var response = new CreatePartitionsResponse();
        var duplicates = request.Topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var native = new Native.CreatePartitionsRequest { ValidateOnly = request.ValidateOnly, TimeoutMs = Math.Max(0, request.TimeoutMs) };
        foreach (var topic in request.Topics.Where(t => !duplicates.Contains(t.Name)))
        {
            var wanted = new Native.CreatePartitionsTopic { Name = topic.Name, Count = topic.Count };
            foreach (var (assignment, i) in (topic.Assignments ?? []).Select((a, i) => (a, i)))
            {
                var replicas = new Native.PartitionReplicas { Partition = i };
                replicas.Replicas.AddRange(assignment.BrokerIds);
                wanted.Assignments.Add(replicas);
            }

            native.Topics.Add(wanted);
        }

        Native.CreatePartitionsResponse? answer = null;
        if (native.Topics.Count > 0)
        {
            var wait = request.TimeoutMs <= 0 ? TimeSpan.Zero : KafkaAdminRequests.Timeout(context, request.TimeoutMs);
            answer = await KafkaAdminRequests.AskAsync<Native.CreatePartitionsResponse>(context, native, context.Services.RequestTimeout + wait + TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }

        foreach (var topic in request.Topics.DistinctBy(t => t.Name, StringComparer.Ordinal))
        {
            var result = new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = topic.Name };
            if (duplicates.Contains(topic.Name))
            {
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                result.ErrorMessage = $"Topic '{topic.Name}' appears more than once in the request";
            }
            else if (answer?.Results.FirstOrDefault(r => r.Name == topic.Name) is { } done)
            {
                result.ErrorCode = (short)done.ErrorCode;
                result.ErrorMessage = done.ErrorCode == 0 ? null : done.ErrorMessage;
            }
            else
            {
                result.ErrorCode = (short)ErrorCode.RequestTimedOut;
                result.ErrorMessage = "The controller did not answer in time; the partitions may still be created";
            }

            response.Results.Add(result);
        }

        return response;
    }
}
