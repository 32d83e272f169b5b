using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// DeleteRecords v0-2: each partition's leader moves its log start offset (the low watermark) to the given offset (-1:
/// the high watermark), and answers with the new one; followers follow. Sent to a node that does not lead a partition,
/// it gets NOT_LEADER_OR_FOLLOWER and the client asks the leader, as with Kafka. An offset above the high watermark is
/// OFFSET_OUT_OF_RANGE.
/// </summary>
internal sealed class Api21DeleteRecords : KafkaApi<DeleteRecordsRequest, DeleteRecordsResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    public override string Notes => "At each partition's leader; whole segments below the new log start offset are deleted, reads below it are refused at once.";

    protected override async ValueTask<DeleteRecordsResponse?> HandleAsync(KafkaRequestContext context, DeleteRecordsRequest request, CancellationToken cancellationToken)
    {
        var native = new Native.DeleteRecordsRequest();
        native.Partitions.AddRange(request.Topics.SelectMany(t => t.Partitions.Select(p => new Native.DeleteRecordsPartition { Topic = t.Name, Partition = p.PartitionIndex, Offset = p.Offset })));
        var answer = native.Partitions.Count == 0 ? new Native.DeleteRecordsResponse()
            : await KafkaAdminRequests.AskAsync<Native.DeleteRecordsResponse>(context, native, KafkaAdminRequests.Timeout(context, request.TimeoutMs), cancellationToken).ConfigureAwait(false);
        var byPartition = (answer?.Partitions ?? []).GroupBy(p => (p.Topic, p.Partition)).ToDictionary(g => g.Key, g => g.First());
        var response = new DeleteRecordsResponse();
        foreach (var topic in request.Topics)
        {
            var result = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                result.Partitions.Add(byPartition.TryGetValue((topic.Name, partition.PartitionIndex), out var done)
                    ? new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = partition.PartitionIndex, ErrorCode = (short)done.ErrorCode, LowWatermark = done.LowWatermark }
                    : new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = partition.PartitionIndex, ErrorCode = (short)ErrorCode.RequestTimedOut, LowWatermark = -1 });
            }

            response.Topics.Add(result);
        }

        return response;
    }
}
