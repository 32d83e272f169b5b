using ActorStream.Kafka.Messages;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// IncrementalAlterConfigs v0-1 at the controller: SET (0) and DELETE (1) change one topic config each, the others
/// stay; APPEND (2) and SUBTRACT (3) are refused with INVALID_REQUEST (no list-valued topic config takes more than one
/// value here: cleanup.policy is only "delete"). validate_only checks and changes nothing. Broker configs are static
/// (HOCON): INVALID_REQUEST.
/// </summary>
internal sealed class Api44IncrementalAlterConfigs : KafkaApi<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    public override string Notes => "SET and DELETE on topic configs; APPEND/SUBTRACT and broker configs refused (INVALID_REQUEST).";

    protected override async ValueTask<IncrementalAlterConfigsResponse?> HandleAsync(KafkaRequestContext context, IncrementalAlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var native = new Native.AlterConfigsRequest { ValidateOnly = request.ValidateOnly, Incremental = true };
        native.Resources.AddRange(request.Resources.Select(r => KafkaConfigAlterations.Resource(r.ResourceType, r.ResourceName, r.Configs.Select(c => (c.Name, (int)c.ConfigOperation, c.Value)))));
        var results = await KafkaConfigAlterations.AlterAsync(context, native, cancellationToken).ConfigureAwait(false);
        var response = new IncrementalAlterConfigsResponse();
        response.Responses.AddRange(request.Resources.Select((r, i) => new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
        {
            ResourceType = r.ResourceType,
            ResourceName = r.ResourceName,
            ErrorCode = results[i].Error,
            ErrorMessage = results[i].Message,
        }));
        return response;
    }
}
