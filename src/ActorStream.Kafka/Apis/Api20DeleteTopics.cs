using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// DeleteTopics v1-6, through the node's endpoint to the controller: by name (v1-5) or by name or topic id (v6), one
/// error code per topic (UNKNOWN_TOPIC_OR_PARTITION for a missing name, UNKNOWN_TOPIC_ID for an unknown id). The answer
/// comes once the controller has persisted the deletion and this node's metadata no longer lists the topic (within
/// timeout_ms); every replica then deletes its copy.
/// </summary>
internal sealed class Api20DeleteTopics : KafkaApi<DeleteTopicsRequest, DeleteTopicsResponse>
{
    public override short MinVersion => 1;

    public override short MaxVersion => 6;

    public override string Notes => "v6 accepts topic ids; the answer comes once the controller has persisted the deletion (logs are removed right after).";

    protected override async ValueTask<DeleteTopicsResponse?> HandleAsync(KafkaRequestContext context, DeleteTopicsRequest request, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        var timeout = KafkaAdminRequests.Timeout(context, request.TimeoutMs);
        List<(string? Name, Guid TopicId)> wanted = version >= 6
            ? request.Topics.Select(t => (t.Name, t.TopicId)).ToList()
            : request.TopicNames.Select(n => ((string?)n, Guid.Empty)).ToList();

        Dictionary<Guid, string> names = [];
        if (wanted.Any(w => w.Name is null))
        {
            var metadata = await KafkaAdminRequests.AskAsync<Native.MetadataResponse>(context, new Native.MetadataRequest { AllTopics = true }, timeout, cancellationToken).ConfigureAwait(false);
            names = (metadata?.Topics ?? []).Where(t => t.ErrorCode == 0).DistinctBy(t => t.TopicId, StringComparer.Ordinal).ToDictionary(t => KafkaAdminRequests.TopicId(t.TopicId), t => t.Name);
        }

        var response = new DeleteTopicsResponse();
        var native = new Native.DeleteTopicsRequest();
        var results = new List<(DeleteTopicsResponse.DeletableTopicResult Result, string? Name)>();
        foreach (var (name, id) in wanted)
        {
            var result = new DeleteTopicsResponse.DeletableTopicResult { Name = name, TopicId = id };
            if (name is not null && id != Guid.Empty)
            {
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                result.ErrorMessage = "Name a topic by its name or by its id, not both";
            }
            else if (name is null && !names.TryGetValue(id, out _))
            {
                result.ErrorCode = (short)ErrorCode.UnknownTopicId;
                result.ErrorMessage = $"No topic has the id {id}";
            }

            var resolved = name ?? names.GetValueOrDefault(id);
            if (result.ErrorCode == 0 && resolved is not null)
            {
                native.Names.Add(resolved);
            }

            results.Add((result, resolved));
        }

        var answer = native.Names.Count == 0 ? new Native.DeleteTopicsResponse()
            : await KafkaAdminRequests.AskAsync<Native.DeleteTopicsResponse>(context, native, timeout, cancellationToken).ConfigureAwait(false);
        if (answer is not null)
        {
            await AwaitGoneAsync(context, answer.Results.Where(r => r.ErrorCode == 0).Select(r => r.Name).ToList(), timeout, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (result, name) in results)
        {
            if (result.ErrorCode == 0)
            {
                var deleted = answer?.Results.FirstOrDefault(r => r.Name == name);
                result.ErrorCode = (short)(deleted?.ErrorCode ?? (int)ErrorCode.RequestTimedOut);
                result.ErrorMessage = deleted is null ? "The controller did not answer in time; the topic may still be deleted" : deleted.ErrorCode == 0 ? null : deleted.ErrorMessage;
                if (deleted is not null && deleted.ErrorCode == 0 && version >= 6)
                {
                    result.Name = name;
                    result.TopicId = KafkaAdminRequests.TopicId(deleted.TopicId);
                }
            }

            response.Responses.Add(result);
        }

        return response;
    }

    /// <summary>
    /// Waits (within the request's timeout) until this node's metadata no longer lists the deleted topics, so that a
    /// Metadata request right after the answer does not show them, as after Kafka's DeleteTopics.
    /// </summary>
    private static async Task AwaitGoneAsync(KafkaRequestContext context, List<string> deleted, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (deleted.Count == 0)
        {
            return;
        }

        var request = new Native.MetadataRequest();
        request.Topics.AddRange(deleted);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var metadata = await KafkaAdminRequests.AskAsync<Native.MetadataResponse>(context, request, timeout, cancellationToken).ConfigureAwait(false);
            if (metadata is null || metadata.Topics.All(t => t.ErrorCode != 0))
            {
                return;
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }
}
