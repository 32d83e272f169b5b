using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// OffsetCommit v2-9 (v8+ flexible): a member of the current generation commits any partition (as Kafka's classic
/// coordinator, no ownership check); a simple commit (empty member id, generation -1) only to an Empty or unknown
/// group. Errors per partition: the group-level ones (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS,
/// FENCED_INSTANCE_ID, NOT_COORDINATOR...) on every partition, UNKNOWN_TOPIC_OR_PARTITION for a partition this node's
/// metadata does not know, OFFSET_METADATA_TOO_LARGE as INVALID_COMMIT_OFFSET_SIZE. Metadata strings are kept (null is
/// stored as "", as Kafka); the v2-4 retention time is ignored (the broker's offsets.retention applies) and leader
/// epochs are not stored. v9's member epoch is the generation (KIP-848 members' epoch is their group's generation).
/// </summary>
internal sealed class Api08OffsetCommit : KafkaApi<OffsetCommitRequest, OffsetCommitResponse>
{
    public override short MinVersion => 2;

    public override short MaxVersion => 9;

    public override string Notes =>
        "Generation and member checks, simple commits to Empty groups, metadata kept; retention_time and leader epochs ignored.";

    protected override async ValueTask<OffsetCommitResponse?> HandleAsync(KafkaRequestContext context, OffsetCommitRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.GroupId))
        {
            return Answer(request, (_, _) => ErrorCode.InvalidGroupId);
        }

        var known = await KafkaGroupCoordinator.KnownPartitionsAsync(context, request.Topics.Select(t => t.Name), cancellationToken).ConfigureAwait(false);
        bool IsKnown(string topic, int partition) => known is null || known.Contains((topic, partition));
        var native = new NativeGroup.OffsetCommitRequest
        {
            GroupId = request.GroupId,
            MemberId = request.MemberId,
            GenerationId = request.GenerationIdOrMemberEpoch,
        };
        if (request.GroupInstanceId is { } instanceId)
        {
            native.GroupInstanceId = instanceId;
        }

        foreach (var topic in request.Topics)
        {
            foreach (var partition in topic.Partitions.Where(p => IsKnown(topic.Name, p.PartitionIndex)))
            {
                native.Offsets.Add(new NativeGroup.OffsetCommitPartition
                {
                    Topic = topic.Name,
                    Partition = partition.PartitionIndex,
                    Offset = partition.CommittedOffset,
                    Metadata = partition.CommittedMetadata ?? "",
                });
            }
        }

        if (native.Offsets.Count == 0)
        {
            return Answer(request, (_, _) => ErrorCode.UnknownTopicOrPartition);
        }

        var (answer, error) = await KafkaGroupCoordinator.AskAsync<NativeGroup.OffsetCommitResponse>(context, native, context.Services.RequestTimeout, cancellationToken).ConfigureAwait(false);
        var results = answer?.Partitions.GroupBy(p => (p.Topic, p.Partition)).ToDictionary(g => g.Key, g => (ErrorCode)g.Last().ErrorCode) ?? [];
        return Answer(request, (topic, partition) =>
            !IsKnown(topic, partition) ? ErrorCode.UnknownTopicOrPartition
            : answer is null ? error
            : results.GetValueOrDefault((topic, partition), ErrorCode.UnknownServerError));
    }

    private static OffsetCommitResponse Answer(OffsetCommitRequest request, Func<string, int, ErrorCode> errorOf) => new()
    {
        Topics = request.Topics.Select(t => new OffsetCommitResponse.OffsetCommitResponseTopic
        {
            Name = t.Name,
            Partitions = t.Partitions.Select(p => new OffsetCommitResponse.OffsetCommitResponsePartition
            {
                PartitionIndex = p.PartitionIndex,
                ErrorCode = (short)errorOf(t.Name, p.PartitionIndex),
            }).ToList(),
        }).ToList(),
    };
}
