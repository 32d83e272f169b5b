using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// DescribeLogDirs v0-4: the node answers for itself (Kafka's admin client asks every broker), one log dir (the node's
/// <c>logs</c> directory) with each replica's size on disk and offset lag (0 for a leader; a follower's high watermark
/// minus its log end offset), and (v4) the file system's total and usable bytes. No future (moving) replicas.
/// </summary>
internal sealed class Api35DescribeLogDirs : KafkaApi<DescribeLogDirsRequest, DescribeLogDirsResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    public override string Notes => "One log dir per node; is_future_key always false.";

    protected override async ValueTask<DescribeLogDirsResponse?> HandleAsync(KafkaRequestContext context, DescribeLogDirsRequest request, CancellationToken cancellationToken)
    {
        var native = new Native.DescribeLogDirsRequest();
        foreach (var topic in request.Topics ?? [])
        {
            var wanted = new Native.DescribeLogDirsTopic { Topic = topic.Topic };
            wanted.Partitions.AddRange(topic.Partitions);
            native.Topics.Add(wanted);
        }

        var response = new DescribeLogDirsResponse();
        var answer = await KafkaAdminRequests.AskAsync<Native.DescribeLogDirsResponse>(context, native, context.Services.RequestTimeout * 2, cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            response.ErrorCode = (short)ErrorCode.RequestTimedOut;
            return response;
        }

        var result = new DescribeLogDirsResponse.DescribeLogDirsResult
        {
            ErrorCode = (short)answer.ErrorCode,
            LogDir = answer.LogDir,
            TotalBytes = answer.TotalBytes,
            UsableBytes = answer.UsableBytes,
        };
        // An empty (not null) topic list asks for the log dir without any partition.
        IEnumerable<Native.LogDirPartition> partitions = request.Topics is { Count: 0 } ? [] : answer.Partitions;
        result.Topics.AddRange(partitions.GroupBy(p => p.Topic, StringComparer.Ordinal).Select(g => new DescribeLogDirsResponse.DescribeLogDirsTopic
        {
            Name = g.Key,
            Partitions = g.Select(p => new DescribeLogDirsResponse.DescribeLogDirsPartition { PartitionIndex = p.Partition, PartitionSize = p.Size, OffsetLag = p.OffsetLag, IsFutureKey = p.IsFuture }).ToList(),
        }));
        response.Results.Add(result);
        return response;
    }
}
