using Akka.Actor;
using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// ListOffsets v1-8 at the partition leaders: -1 latest (the high watermark, which is also the last stable offset
/// under read_committed: no transactions yet), -2 earliest, -3 max timestamp, -4 earliest local (= earliest: no
/// tiered storage), else the first offset with a timestamp at or after the one given; with the leader epoch of the
/// batch holding the offset (v4+), and the consumer's current leader epoch checked at the leader (KIP-320).
/// </summary>
internal sealed class Api02ListOffsets : KafkaApi<ListOffsetsRequest, ListOffsetsResponse>
{
    public override short MinVersion => 1;

    public override short MaxVersion => 8;

    public override string Notes =>
        "-1 latest = high watermark (also under read_committed: no transactions), -2 earliest, -3 max timestamp, -4 earliest local = earliest.";

    protected override async ValueTask<ListOffsetsResponse?> HandleAsync(KafkaRequestContext context, ListOffsetsRequest request, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        var response = new ListOffsetsResponse();
        var native = new Native.ListOffsetsRequest();
        var sent = new List<ListOffsetsResponse.ListOffsetsPartitionResponse>();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var partition in topic.Partitions)
            {
                var partitionResponse = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = partition.PartitionIndex, Offset = -1, Timestamp = -1 };
                topicResponse.Partitions.Add(partitionResponse);
                var ask = new Native.ListOffsetsPartition { Topic = topic.Name, Partition = partition.PartitionIndex, Timestamp = partition.Timestamp };
                if (partition.CurrentLeaderEpoch >= 0)
                {
                    ask.CurrentLeaderEpoch = partition.CurrentLeaderEpoch; // FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH at the leader
                }

                native.Partitions.Add(ask);
                sent.Add(partitionResponse);
            }
        }

        if (native.Partitions.Count == 0)
        {
            return response;
        }

        Native.ListOffsetsResponse? answer = null;
        try
        {
            answer = await context.Services.BrokerEndpoint.Ask<Native.ListOffsetsResponse>(native, context.Services.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
        }

        for (var i = 0; i < sent.Count; i++)
        {
            var partition = sent[i];
            if (answer is null || i >= answer.Partitions.Count)
            {
                partition.ErrorCode = (short)ErrorCode.RequestTimedOut;
                continue;
            }

            var result = answer.Partitions[i];
            partition.ErrorCode = (short)result.ErrorCode;
            partition.Offset = result.ErrorCode == 0 ? result.Offset : -1;
            partition.Timestamp = result.ErrorCode == 0 ? result.Timestamp : -1;
            partition.LeaderEpoch = result.ErrorCode == 0 && version >= 4 ? result.LeaderEpoch : -1;
        }

        return response;
    }
}
