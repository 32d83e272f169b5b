using ActorStream.Kafka.Messages;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// AlterConfigs v0-2 (the whole config set of a resource is replaced), at the controller: a topic's configs become
/// exactly the given ones, each checked as at CreateTopics (INVALID_CONFIG with the reason); validate_only checks and
/// changes nothing. Broker configs are static (HOCON) and refused with INVALID_REQUEST; an unknown topic gets
/// UNKNOWN_TOPIC_OR_PARTITION. Leaders and followers take a new config without a restart.
/// </summary>
internal sealed class Api33AlterConfigs : KafkaApi<AlterConfigsRequest, AlterConfigsResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    public override string Notes => "Topic resources only: broker configs are static (INVALID_REQUEST).";

    protected override async ValueTask<AlterConfigsResponse?> HandleAsync(KafkaRequestContext context, AlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var native = new Native.AlterConfigsRequest { ValidateOnly = request.ValidateOnly, Incremental = false };
        native.Resources.AddRange(request.Resources.Select(r => KafkaConfigAlterations.Resource(r.ResourceType, r.ResourceName, r.Configs.Select(c => (c.Name, 0, c.Value)))));
        var results = await KafkaConfigAlterations.AlterAsync(context, native, cancellationToken).ConfigureAwait(false);
        var response = new AlterConfigsResponse();
        response.Responses.AddRange(request.Resources.Select((r, i) => new AlterConfigsResponse.AlterConfigsResourceResponse
        {
            ResourceType = r.ResourceType,
            ResourceName = r.ResourceName,
            ErrorCode = results[i].Error,
            ErrorMessage = results[i].Message,
        }));
        return response;
    }
}
