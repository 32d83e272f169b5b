using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// DescribeConfigs v1-4 for topics (2) and brokers (4), answered by the node's endpoint: every config a topic knows with
/// its value and source (DYNAMIC_TOPIC_CONFIG when set on the topic, else the broker value it falls back to:
/// STATIC_BROKER_CONFIG or DEFAULT_CONFIG), synonyms when asked (v1+), config type (v3+) and documentation when asked
/// (v3+). Broker configs are the node's HOCON settings under their Kafka names, read-only; a broker resource names a
/// node id ("" is this node), and another node's settings are asked of that node. Other resource types get
/// INVALID_REQUEST; an unknown topic UNKNOWN_TOPIC_OR_PARTITION.
/// </summary>
internal sealed class Api32DescribeConfigs : KafkaApi<DescribeConfigsRequest, DescribeConfigsResponse>
{
    public override short MinVersion => 1;

    public override short MaxVersion => 4;

    public override string Notes => "Topic and broker resources; broker configs are static (read-only); no sensitive configs.";

    protected override async ValueTask<DescribeConfigsResponse?> HandleAsync(KafkaRequestContext context, DescribeConfigsRequest request, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        var native = new Native.DescribeConfigsRequest();
        foreach (var resource in request.Resources)
        {
            var wanted = new Native.DescribeConfigsResource { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            wanted.ConfigNames.AddRange(resource.ConfigurationKeys ?? []);
            native.Resources.Add(wanted);
        }

        // The endpoint may ask the controller and another node, one request timeout each.
        var answer = request.Resources.Count == 0 ? new Native.DescribeConfigsResponse()
            : await KafkaAdminRequests.AskAsync<Native.DescribeConfigsResponse>(context, native, context.Services.RequestTimeout * 2, cancellationToken).ConfigureAwait(false);
        var response = new DescribeConfigsResponse();
        for (var i = 0; i < request.Resources.Count; i++)
        {
            var resource = request.Resources[i];
            var result = new DescribeConfigsResponse.DescribeConfigsResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName, ErrorMessage = null };
            if (answer is null || i >= answer.Results.Count)
            {
                result.ErrorCode = (short)ErrorCode.RequestTimedOut;
                result.ErrorMessage = "The node did not answer in time";
            }
            else
            {
                var described = answer.Results[i];
                result.ErrorCode = (short)described.ErrorCode;
                result.ErrorMessage = described.ErrorCode == 0 ? null : described.ErrorMessage;
                result.Configs.AddRange(described.Configs.Select(c => Entry(c, version, request.IncludeSynonyms, request.IncludeDocumentation)));
            }

            response.Results.Add(result);
        }

        return response;
    }

    private static DescribeConfigsResponse.DescribeConfigsResourceResult Entry(Native.DescribeConfigsEntry config, short version, bool synonyms, bool documentation)
    {
        var entry = new DescribeConfigsResponse.DescribeConfigsResourceResult
        {
            Name = config.Name,
            Value = config.Value,
            ReadOnly = config.ReadOnly,
            ConfigSource = (sbyte)config.ConfigSource,
            IsSensitive = config.IsSensitive,
            ConfigType = version >= 3 ? (sbyte)config.ConfigType : (sbyte)0,
            Documentation = version >= 3 && documentation && config.Documentation.Length > 0 ? config.Documentation : null,
        };
        if (synonyms)
        {
            entry.Synonyms.AddRange(config.Synonyms.Select(s => new DescribeConfigsResponse.DescribeConfigsSynonym { Name = s.Name, Value = s.Value, Source = (sbyte)s.Source }));
        }

        return entry;
    }
}
