using Akka.Actor;
using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Network;
using ActorStream.Protocol;
using Google.Protobuf;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// Produce: answers v3-10, advertises v0-10. Each partition gets its own error code, never the whole request; the
/// batches go to the partition leader as the bytes they are (headers are read for the compression codec only), through
/// the producer-state checks idempotent producers rely on (a retried duplicate answers success with its first offset,
/// as Kafka does).
/// </summary>
internal sealed class Api00Produce : KafkaApi<ProduceRequest, ProduceResponse>
{
    /// <summary>The first version with RecordBatch v2, the only message format the broker stores.</summary>
    private const short FirstAnsweredVersion = 3;

    /// <summary>zstd needs Produce v7 (KIP-110): older clients cannot read it back.</summary>
    private const short FirstZstdVersion = 7;

    // Advertised from v0 though only v3+ is answered: librdkafka before 2.11.1 (Debian's kcat 1.7.1 ships 2.0.2)
    // enables gzip, snappy and lz4 only when the broker advertises Produce v0 (its MsgVer1 feature check), and silently
    // sends uncompressed otherwise. No client that picks min(its max, ours) ever sends v0-2 to us.
    public override short MinVersion => 0;

    public override short MaxVersion => 10;

    /// <summary>
    /// librdkafka keeps several Produce requests in flight per connection: each is sent to the endpoint as it arrives
    /// (in arrival order, so each partition appends them in order), one partition's wait does not hold up the next.
    /// </summary>
    public override bool Pipelined => true;

    public override string Notes =>
        "Advertised from v0 but v0-2 answer UNSUPPORTED_VERSION per partition (message formats 0/1 are not stored): librdkafka " +
        "before 2.11.1 turns gzip/snappy/lz4 off unless Produce v0 is advertised. zstd needs v7+. A transactional_id gets " +
        "TRANSACTIONAL_ID_AUTHORIZATION_FAILED (no transactions yet). acks=0: no response; an error closes the connection.";

    protected override async ValueTask<ProduceResponse?> HandleAsync(KafkaRequestContext context, ProduceRequest request, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        var response = new ProduceResponse();
        var native = new Native.ProduceRequest
        {
            // acks=0 still waits for the leader's append (as Kafka handles it before the connection's next request),
            // so an error can close the connection; the client gets no response either way.
            Acks = request.Acks == 0 ? 1 : request.Acks,
            TimeoutMs = request.TimeoutMs,
        };
        var sent = new List<ProduceResponse.PartitionProduceResponse>();
        foreach (var topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            response.Responses.Add(topicResponse);
            foreach (var data in topic.PartitionData)
            {
                var partition = new ProduceResponse.PartitionProduceResponse { Index = data.Index, BaseOffset = -1 };
                topicResponse.PartitionResponses.Add(partition);
                var error = Check(request, version, data, out var message);
                if (error != ErrorCode.None)
                {
                    partition.ErrorCode = (short)error;
                    partition.ErrorMessage = message;
                    continue;
                }

                // The frame buffer is pooled and returned once the response is written; the broker may hold the
                // message longer (replication, a parked acks=all), so the batches are copied out.
                native.Partitions.Add(new Native.ProducePartitionData { Topic = topic.Name, Partition = data.Index, Records = ByteString.CopyFrom(data.Records!.Value.Span) });
                sent.Add(partition);
            }
        }

        if (native.Partitions.Count > 0)
        {
            await SendAsync(context, request, native, sent, cancellationToken).ConfigureAwait(false);
        }

        if (request.Acks == 0)
        {
            var failed = response.Responses.SelectMany(t => t.PartitionResponses.Select(p => (t.Name, p))).FirstOrDefault(x => x.p.ErrorCode != 0);
            if (failed.p is not null)
            {
                throw new KafkaCloseConnectionException(
                    $"Produce with acks=0 to {failed.Name}-{failed.p.Index} failed with error {failed.p.ErrorCode}: {failed.p.ErrorMessage}");
            }

            return null;
        }

        return response;
    }

    private static ErrorCode Check(ProduceRequest request, short version, ProduceRequest.PartitionProduceData data, out string? message)
    {
        message = null;
        if (version < FirstAnsweredVersion)
        {
            message = $"Produce v{version} carries message format 0/1, which this broker does not store; use v{FirstAnsweredVersion}+";
            return ErrorCode.UnsupportedVersion;
        }

        if (request.TransactionalId is not null)
        {
            message = "Transactions are not supported yet: produce without transactional.id";
            return ErrorCode.TransactionalIdAuthorizationFailed;
        }

        if (request.Acks is not (0 or 1 or -1))
        {
            message = $"acks must be 0, 1 or -1 (all), not {request.Acks}";
            return ErrorCode.InvalidRequiredAcks;
        }

        if (data.Records is not { Length: > 0 } records)
        {
            message = "The partition's record set is empty";
            return ErrorCode.CorruptMessage;
        }

        if (version < FirstZstdVersion && KafkaRecords.AnyZstd(records.Span))
        {
            message = $"zstd-compressed batches need Produce v{FirstZstdVersion}+, not v{version}";
            return ErrorCode.UnsupportedCompressionType;
        }

        return ErrorCode.None;
    }

    private static async Task SendAsync(KafkaRequestContext context, ProduceRequest request, Native.ProduceRequest native, List<ProduceResponse.PartitionProduceResponse> sent, CancellationToken cancellationToken)
    {
        Native.ProduceResponse? answer = null;
        try
        {
            var timeout = TimeSpan.FromMilliseconds(Math.Max(request.TimeoutMs, 0)) + context.Services.RequestTimeout;
            answer = await context.Services.BrokerEndpoint.Ask<Native.ProduceResponse>(native, timeout, cancellationToken).ConfigureAwait(false);
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
                partition.ErrorMessage = "The partition did not answer in time";
                continue;
            }

            // The endpoint answers in request order, one entry per partition sent.
            var result = answer.Partitions[i];
            partition.ErrorCode = (short)result.ErrorCode;
            partition.ErrorMessage = string.IsNullOrEmpty(result.ErrorMessage) ? null : result.ErrorMessage;
            partition.BaseOffset = result.ErrorCode == 0 ? result.BaseOffset : -1;
            partition.LogAppendTimeMs = -1;
            partition.LogStartOffset = result.ErrorCode == 0 ? result.LogStartOffset : -1;
        }
    }
}
