using Akka.Actor;
using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// OffsetForLeaderEpoch v2-4 for consumers (KIP-320: librdkafka 2.1+ and Java validate their position after a leader
/// change with it): per partition, the largest epoch at or below the one asked for in the leader's epoch history and
/// where it ends, with the consumer's current leader epoch checked first (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH).
/// Follower requests (replica id ≥ 0) are not served: replication uses the native protocol.
/// </summary>
internal sealed class Api23OffsetForLeaderEpoch : KafkaApi<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>
{
    public override short MinVersion => 2;

    public override short MaxVersion => 4;

    public override string Notes => "Consumers only (replica_id -1 or -2); a follower's request gets INVALID_REQUEST per partition.";

    protected override async ValueTask<OffsetForLeaderEpochResponse?> HandleAsync(KafkaRequestContext context, OffsetForLeaderEpochRequest request, CancellationToken cancellationToken)
    {
        var response = new OffsetForLeaderEpochResponse();
        var native = new Native.OffsetForLeaderEpochRequest();
        var sent = new List<OffsetForLeaderEpochResponse.EpochEndOffset>();
        foreach (var topic in request.Topics)
        {
            var topicResult = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = topic.Topic };
            response.Topics.Add(topicResult);
            foreach (var partition in topic.Partitions)
            {
                var result = new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = partition.Partition, LeaderEpoch = -1, EndOffset = -1 };
                topicResult.Partitions.Add(result);
                if (request.ReplicaId >= 0)
                {
                    result.ErrorCode = (short)ErrorCode.InvalidRequest;
                    continue;
                }

                var ask = new Native.OffsetForLeaderEpochPartition { Topic = topic.Topic, Partition = partition.Partition, LeaderEpoch = partition.LeaderEpoch };
                if (partition.CurrentLeaderEpoch >= 0)
                {
                    ask.CurrentLeaderEpoch = partition.CurrentLeaderEpoch;
                }

                native.Partitions.Add(ask);
                sent.Add(result);
            }
        }

        if (native.Partitions.Count == 0)
        {
            return response;
        }

        Native.OffsetForLeaderEpochResponse? answer = null;
        try
        {
            answer = await context.Services.BrokerEndpoint.Ask<Native.OffsetForLeaderEpochResponse>(native, context.Services.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
        }

        for (var i = 0; i < sent.Count; i++)
        {
            var result = sent[i];
            if (answer is null || i >= answer.Partitions.Count)
            {
                result.ErrorCode = (short)ErrorCode.RequestTimedOut;
                continue;
            }

            // The endpoint answers in request order, one entry per partition asked.
            var partitionAnswer = answer.Partitions[i];
            result.ErrorCode = (short)partitionAnswer.ErrorCode;
            result.LeaderEpoch = partitionAnswer.ErrorCode == 0 ? partitionAnswer.LeaderEpoch : -1;
            result.EndOffset = partitionAnswer.ErrorCode == 0 ? partitionAnswer.EndOffset : -1;
        }

        return response;
    }
}
