using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// OffsetDelete v0 (KIP-496): removes a group's committed offsets for partitions of topics it does not consume
/// (GROUP_SUBSCRIBED_TO_TOPIC per partition of a topic a member subscribes to). Group-level errors: INVALID_GROUP_ID,
/// GROUP_ID_NOT_FOUND, NOT_COORDINATOR; UNKNOWN_TOPIC_OR_PARTITION for a partition this node's metadata does not know.
/// </summary>
internal sealed class Api47OffsetDelete : KafkaApi<OffsetDeleteRequest, OffsetDeleteResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    public override string Notes => "Offsets of topics the group does not consume; GROUP_SUBSCRIBED_TO_TOPIC otherwise.";

    protected override async ValueTask<OffsetDeleteResponse?> HandleAsync(KafkaRequestContext context, OffsetDeleteRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.GroupId))
        {
            return new OffsetDeleteResponse { ErrorCode = (short)ErrorCode.InvalidGroupId };
        }

        var known = await KafkaGroupCoordinator.KnownPartitionsAsync(context, request.Topics.Select(t => t.Name), cancellationToken).ConfigureAwait(false);
        bool IsKnown(string topic, int partition) => known is null || known.Contains((topic, partition));
        var native = new NativeGroup.OffsetDeleteRequest { GroupId = request.GroupId };
        foreach (var topic in request.Topics)
        {
            native.Partitions.AddRange(topic.Partitions.Where(p => IsKnown(topic.Name, p.PartitionIndex)).Select(p => new NativeGroup.GroupPartition { Topic = topic.Name, Partition = p.PartitionIndex }));
        }

        var (answer, error) = await KafkaGroupCoordinator.AskAsync<NativeGroup.OffsetDeleteResponse>(context, native, context.Services.RequestTimeout, cancellationToken).ConfigureAwait(false);
        if (answer is null || answer.ErrorCode != 0)
        {
            return new OffsetDeleteResponse { ErrorCode = answer is null ? (short)error : KafkaGroupCoordinator.Code(answer.ErrorCode) };
        }

        var results = answer.Partitions.GroupBy(p => (p.Topic, p.Partition)).ToDictionary(g => g.Key, g => (ErrorCode)g.Last().ErrorCode);
        return new OffsetDeleteResponse
        {
            Topics = request.Topics.Select(t => new OffsetDeleteResponse.OffsetDeleteResponseTopic
            {
                Name = t.Name,
                Partitions = t.Partitions.Select(p => new OffsetDeleteResponse.OffsetDeleteResponsePartition
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = (short)(!IsKnown(t.Name, p.PartitionIndex) ? ErrorCode.UnknownTopicOrPartition : results.GetValueOrDefault((t.Name, p.PartitionIndex), ErrorCode.None)),
                }).ToList(),
            }).ToList(),
        };
    }
}
