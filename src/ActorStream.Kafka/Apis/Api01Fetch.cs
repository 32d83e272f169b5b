using Akka.Actor;
using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// Fetch v4-16 for consumers: long poll (<c>max_wait_ms</c>, <c>min_bytes</c>), <c>max_bytes</c> and
/// <c>partition_max_bytes</c> with KIP-74's "at least one batch" (the node's endpoint does both, as for the native
/// client), batches passed through as stored. No transactions yet, so the last stable offset is the high watermark
/// under either isolation level. No fetch sessions (KIP-227): every answer has session id 0, which tells the client
/// the broker keeps none, so it sends full requests.
/// </summary>
internal sealed class Api01Fetch : KafkaApi<FetchRequest, FetchResponse>
{
    /// <summary>zstd batches need Fetch v10 (KIP-110): an older consumer could not decompress them.</summary>
    private const short FirstZstdVersion = 10;

    /// <summary>Topics are named by id from v13 (KIP-516).</summary>
    private const short FirstTopicIdVersion = 13;

    public override short MinVersion => 4;

    public override short MaxVersion => 16;

    public override string Notes =>
        "Session id always 0 (no fetch sessions: an incremental request gets FETCH_SESSION_ID_NOT_FOUND); last_stable_offset = high watermark " +
        "(no transactions); preferred_read_replica -1; a zstd batch to a Fetch below v10 gets UNSUPPORTED_COMPRESSION_TYPE.";

    protected override async ValueTask<FetchResponse?> HandleAsync(KafkaRequestContext context, FetchRequest request, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        if (request.SessionId != 0)
        {
            // An incremental fetch of a session this broker never created: the client forgets it and fetches in full.
            return new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound, SessionId = 0 };
        }

        var response = new FetchResponse();
        var native = new Native.FetchRequest { MaxWaitMs = request.MaxWaitMs, MinBytes = request.MinBytes, MaxBytes = request.MaxBytes };
        var sent = new List<FetchResponse.PartitionData>();
        var topicIds = KafkaTopicIds.Get(context.Services.System);
        foreach (var topic in request.Topics)
        {
            var name = topic.Topic;
            if (version >= FirstTopicIdVersion)
            {
                name = await topicIds.NameAsync(context, topic.TopicId, cancellationToken).ConfigureAwait(false) ?? "";
            }

            var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = version >= FirstTopicIdVersion ? "" : topic.Topic, TopicId = version >= FirstTopicIdVersion ? topic.TopicId : Guid.Empty };
            response.Responses.Add(topicResponse);
            foreach (var partition in topic.Partitions)
            {
                var data = new FetchResponse.PartitionData { PartitionIndex = partition.Partition, HighWatermark = -1, LastStableOffset = -1, LogStartOffset = -1, Records = ReadOnlyMemory<byte>.Empty };
                topicResponse.Partitions.Add(data);
                if (name.Length == 0)
                {
                    data.ErrorCode = (short)ErrorCode.UnknownTopicId;
                    continue;
                }

                var fetch = new Native.FetchPartition { Topic = name, Partition = partition.Partition, FetchOffset = partition.FetchOffset, PartitionMaxBytes = partition.PartitionMaxBytes };
                if (partition.CurrentLeaderEpoch >= 0)
                {
                    fetch.CurrentLeaderEpoch = partition.CurrentLeaderEpoch;
                }

                native.Partitions.Add(fetch);
                sent.Add(data);
            }
        }

        if (native.Partitions.Count == 0)
        {
            return response;
        }

        Native.FetchResponse? answer = null;
        try
        {
            var timeout = TimeSpan.FromMilliseconds(Math.Max(request.MaxWaitMs, 0)) + context.Services.RequestTimeout;
            answer = await context.Services.BrokerEndpoint.Ask<Native.FetchResponse>(native, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
        }

        for (var i = 0; i < sent.Count; i++)
        {
            var data = sent[i];
            if (answer is null || i >= answer.Partitions.Count)
            {
                data.ErrorCode = (short)ErrorCode.RequestTimedOut;
                continue;
            }

            // The endpoint answers in request order, one entry per partition asked.
            var result = answer.Partitions[i];
            data.ErrorCode = (short)result.ErrorCode;
            data.HighWatermark = result.HighWatermark;
            data.LastStableOffset = result.HighWatermark;
            data.LogStartOffset = result.LogStartOffset;
            if (result.ErrorCode != 0 || result.Records.IsEmpty)
            {
                continue;
            }

            var records = result.Records.Memory;
            if (version < FirstZstdVersion && KafkaRecords.FirstIsZstd(records.Span))
            {
                data.ErrorCode = (short)ErrorCode.UnsupportedCompressionType;
                continue;
            }

            data.Records = records;
        }

        return response;
    }
}
