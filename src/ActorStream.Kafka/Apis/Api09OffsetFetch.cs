using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// OffsetFetch v1-9: a group's committed offsets (-1 and metadata "" where none), for the partitions asked or, v2+ with
/// null topics, every partition the group has an offset for. v8+ asks for several groups at once (KIP-709), each with
/// its own error. require_stable (v7+) is accepted: there are no transactions, so an offset is never unstable. v9's
/// member id and epoch (KIP-848 consumers) are not checked. Leader epochs are not stored: -1. v1 has no group-level
/// error, so a group error goes on every partition.
/// </summary>
internal sealed class Api09OffsetFetch : KafkaApi<OffsetFetchRequest, OffsetFetchResponse>
{
    private const short FirstGroupErrorVersion = 2;

    private const short FirstMultiGroupVersion = 8;

    public override short MinVersion => 1;

    public override short MaxVersion => 9;

    public override string Notes => "v8+ several groups; require_stable accepted (no transactions, never unstable); leader epochs -1.";

    protected override async ValueTask<OffsetFetchResponse?> HandleAsync(KafkaRequestContext context, OffsetFetchRequest request, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        if (version >= FirstMultiGroupVersion)
        {
            var response = new OffsetFetchResponse();
            foreach (var group in request.Groups)
            {
                var asked = group.Topics?.Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList();
                var (error, topics) = await FetchAsync(context, group.GroupId, asked, cancellationToken).ConfigureAwait(false);
                response.Groups.Add(new OffsetFetchResponse.OffsetFetchResponseGroup
                {
                    GroupId = group.GroupId,
                    ErrorCode = (short)error,
                    Topics = topics.Select(t => new OffsetFetchResponse.OffsetFetchResponseTopics
                    {
                        Name = t.Name,
                        Partitions = t.Partitions.Select(p => new OffsetFetchResponse.OffsetFetchResponsePartitions
                        {
                            PartitionIndex = p.PartitionIndex,
                            CommittedOffset = p.CommittedOffset,
                            Metadata = p.Metadata,
                            ErrorCode = p.ErrorCode,
                        }).ToList(),
                    }).ToList(),
                });
            }

            return response;
        }

        // v1 cannot ask for every partition (null topics arrive as v2+ only).
        var wanted = request.Topics?.Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList();
        var (groupError, found) = await FetchAsync(context, request.GroupId, wanted, cancellationToken).ConfigureAwait(false);
        if (version < FirstGroupErrorVersion && groupError != ErrorCode.None)
        {
            foreach (var partition in found.SelectMany(t => t.Partitions))
            {
                partition.ErrorCode = (short)groupError;
            }
        }

        var single = new OffsetFetchResponse { Topics = found };
        if (version >= FirstGroupErrorVersion)
        {
            single.ErrorCode = (short)groupError;
        }

        return single;
    }

    /// <summary>
    /// One group's offsets as v1-7 topics (v8+ copies them): the partitions asked for (null: every committed one), in
    /// the request's order; on a group error the partitions asked for with offset -1 and no partition error.
    /// </summary>
    private static async Task<(ErrorCode Error, List<OffsetFetchResponse.OffsetFetchResponseTopic> Topics)> FetchAsync(
        KafkaRequestContext context, string groupId, List<(string Topic, IReadOnlyList<int> Partitions)>? asked, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(groupId))
        {
            return (ErrorCode.InvalidGroupId, Unanswered(asked));
        }

        var native = new NativeGroup.OffsetFetchRequest { GroupId = groupId };
        foreach (var (topic, partitions) in asked ?? [])
        {
            native.Partitions.AddRange(partitions.Select(p => new NativeGroup.GroupPartition { Topic = topic, Partition = p }));
        }

        if (asked is not null && native.Partitions.Count == 0)
        {
            // Nothing asked: the native request would mean "every partition".
            return (ErrorCode.None, Unanswered(asked));
        }

        var (answer, error) = await KafkaGroupCoordinator.AskAsync<NativeGroup.OffsetFetchResponse>(context, native, context.Services.RequestTimeout, cancellationToken).ConfigureAwait(false);
        if (answer is null || answer.ErrorCode != 0)
        {
            return (answer is null ? error : (ErrorCode)answer.ErrorCode, Unanswered(asked));
        }

        var topics = answer.Partitions
            .GroupBy(p => p.Topic, StringComparer.Ordinal)
            .Select(t => new OffsetFetchResponse.OffsetFetchResponseTopic
            {
                Name = t.Key,
                Partitions = t.Select(p => new OffsetFetchResponse.OffsetFetchResponsePartition
                {
                    PartitionIndex = p.Partition,
                    CommittedOffset = p.Offset,
                    Metadata = p.HasMetadata ? p.Metadata : "",
                    ErrorCode = (short)p.ErrorCode,
                }).ToList(),
            })
            .ToList();
        return (ErrorCode.None, topics);
    }

    private static List<OffsetFetchResponse.OffsetFetchResponseTopic> Unanswered(List<(string Topic, IReadOnlyList<int> Partitions)>? asked) =>
        (asked ?? []).Select(t => new OffsetFetchResponse.OffsetFetchResponseTopic
        {
            Name = t.Topic,
            Partitions = t.Partitions.Select(p => new OffsetFetchResponse.OffsetFetchResponsePartition { PartitionIndex = p, CommittedOffset = -1, Metadata = "" }).ToList(),
        }).ToList();
}
