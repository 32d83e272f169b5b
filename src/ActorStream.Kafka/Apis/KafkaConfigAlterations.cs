using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>AlterConfigs and IncrementalAlterConfigs share the native request (its <c>incremental</c> flag) and its answer.</summary>
internal static class KafkaConfigAlterations
{
    public static Native.AlterConfigsResource Resource(sbyte type, string name, IEnumerable<(string Name, int Operation, string? Value)> configs)
    {
        var resource = new Native.AlterConfigsResource { ResourceType = type, ResourceName = name };
        foreach (var (configName, operation, value) in configs)
        {
            var config = new Native.AlterableConfig { Name = configName, ConfigOperation = operation };
            if (value is not null)
            {
                config.Value = value;
            }

            resource.Configs.Add(config);
        }

        return resource;
    }

    /// <summary>
    /// The controller's answer for each resource, in request order: (error, message) with a null message on success, or
    /// REQUEST_TIMED_OUT for all when it did not answer.
    /// </summary>
    public static async Task<IReadOnlyList<(short Error, string? Message)>> AlterAsync(KafkaRequestContext context, Native.AlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var answer = request.Resources.Count == 0 ? new Native.AlterConfigsResponse()
            : await KafkaAdminRequests.AskAsync<Native.AlterConfigsResponse>(context, request, context.Services.RequestTimeout, cancellationToken).ConfigureAwait(false);
        return request.Resources.Select((_, i) => answer is not null && i < answer.Results.Count
                ? ((short)answer.Results[i].ErrorCode, answer.Results[i].ErrorCode == 0 ? null : answer.Results[i].ErrorMessage)
                : ((short)ErrorCode.RequestTimedOut, (string?)"The controller did not answer in time; the change may still be made"))
            .ToList();
    }
}
