using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// DeleteGroups v0-2: deletes Empty groups with their committed offsets, Kafka-protocol and native alike; an error per
/// group: GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP while it has members, INVALID_GROUP_ID for an empty id.
/// </summary>
internal sealed class Api42DeleteGroups : KafkaApi<DeleteGroupsRequest, DeleteGroupsResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    public override string Notes => "Empty groups with their offsets; GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP per group.";

    protected override async ValueTask<DeleteGroupsResponse?> HandleAsync(KafkaRequestContext context, DeleteGroupsRequest request, CancellationToken cancellationToken)
    {
        var ids = request.GroupsNames.Where(id => !string.IsNullOrEmpty(id)).Distinct(StringComparer.Ordinal).ToList();
        var results = new Dictionary<string, ErrorCode>(StringComparer.Ordinal);
        if (ids.Count > 0)
        {
            var native = new NativeGroup.DeleteGroupsRequest();
            native.GroupIds.AddRange(ids);
            var (answer, error) = await KafkaGroupCoordinator.AskAsync<NativeGroup.DeleteGroupsResponse>(context, native, context.Services.RequestTimeout, cancellationToken).ConfigureAwait(false);
            foreach (var id in ids)
            {
                results[id] = answer is null
                    ? error
                    : answer.Results.FirstOrDefault(r => r.GroupId == id) is { } result ? (ErrorCode)result.ErrorCode : ErrorCode.UnknownServerError;
            }
        }

        return new DeleteGroupsResponse
        {
            Results = request.GroupsNames.DistinctBy(id => id, StringComparer.Ordinal).Select(id => new DeleteGroupsResponse.DeletableGroupResult
            {
                GroupId = id,
                ErrorCode = (short)results.GetValueOrDefault(id, ErrorCode.InvalidGroupId),
            }).ToList(),
        };
    }
}
