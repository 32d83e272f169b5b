using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// ElectLeaders v0-2, onto the preferred-leader machinery: the controller checks each partition (ELECTION_NOT_NEEDED
/// when the preferred replica leads, PREFERRED_LEADER_NOT_AVAILABLE when it is down or out of the ISR,
/// UNKNOWN_TOPIC_OR_PARTITION), then the partition moves to its preferred replica and the answer waits for that within
/// timeout_ms (bounded by the node's request timeout). No partitions named: every partition. Unclean elections
/// (type 1) are refused with INVALID_REQUEST.
/// </summary>
internal sealed class Api43ElectLeaders : KafkaApi<ElectLeadersRequest, ElectLeadersResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    public override string Notes => "Preferred elections only; unclean (type 1) refused with INVALID_REQUEST.";

    protected override async ValueTask<ElectLeadersResponse?> HandleAsync(KafkaRequestContext context, ElectLeadersRequest request, CancellationToken cancellationToken)
    {
        var timeout = KafkaAdminRequests.Timeout(context, request.TimeoutMs);
        var native = new Native.ElectLeadersRequest { ElectionType = request.ElectionType, TimeoutMs = (int)timeout.TotalMilliseconds };
        foreach (var topic in request.TopicPartitions ?? [])
        {
            var wanted = new Native.ElectLeadersPartitions { Topic = topic.Topic };
            wanted.Partitions.AddRange(topic.Partitions);
            native.Topics.Add(wanted);
        }

        var response = new ElectLeadersResponse();
        if (request.TopicPartitions is { Count: 0 })
        {
            return response;
        }

        // The endpoint asks the controller, then waits up to the timeout for the new leaders.
        var answer = await KafkaAdminRequests.AskAsync<Native.ElectLeadersResponse>(context, native, timeout * 2 + TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        var wholeError = answer is null ? (short)ErrorCode.RequestTimedOut : (short)answer.ErrorCode;
        var wholeMessage = answer is null ? "The controller did not answer in time" : answer.ErrorMessage;
        response.ErrorCode = context.Header.ApiVersion >= 1 ? wholeError : (short)0;
        IEnumerable<(string Topic, int Partition, short Error, string? Message)> results = wholeError != 0
            ? (request.TopicPartitions ?? []).SelectMany(t => t.Partitions.Select(p => (t.Topic, p, wholeError, (string?)wholeMessage)))
            : answer!.Partitions.Select(p => (p.Topic, p.Partition, (short)p.ErrorCode, p.ErrorCode == 0 ? null : (string?)p.ErrorMessage));
        response.ReplicaElectionResults.AddRange(results.GroupBy(r => r.Topic, StringComparer.Ordinal).Select(g => new ElectLeadersResponse.ReplicaElectionResult
        {
            Topic = g.Key,
            PartitionResult = g.Select(r => new ElectLeadersResponse.PartitionResult { PartitionId = r.Partition, ErrorCode = r.Error, ErrorMessage = r.Message }).ToList(),
        }));
        return response;
    }
}
