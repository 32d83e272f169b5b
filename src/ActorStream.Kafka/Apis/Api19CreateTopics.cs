using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// CreateTopics v2-7, through the node's endpoint to the controller (from any node), which checks and creates every
/// topic on its own: one error code and message per topic (TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION,
/// INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR against the live nodes, INVALID_CONFIG, INVALID_REPLICA_ASSIGNMENT).
/// num_partitions and replication_factor -1 take the broker defaults; manual replica assignments are kept (both counts
/// must then be -1, as Kafka requires). validate_only runs the same checks and creates nothing. timeout_ms bounds the
/// wait for the new partitions' leaders (capped by the node's request timeout); 0 answers as soon as the controller
/// has created the topics. v5+ answers with the topic's partition count, replication factor and configs (every topic
/// config with its source, as DescribeConfigs; with validate_only the requested ones); v7+ its id.
/// </summary>
internal sealed class Api19CreateTopics : KafkaApi<CreateTopicsRequest, CreateTopicsResponse>
{
    public override short MinVersion => 2;

    public override short MaxVersion => 7;

    public override string Notes =>
        "validate_only and manual assignments supported; timeout_ms bounds the wait for leaders (0: none); " +
        "v5+ configs: every topic config with its source, as DescribeConfigs (validate_only: the requested ones).";

    protected override async ValueTask<CreateTopicsResponse?> HandleAsync(KafkaRequestContext context, CreateTopicsRequest request, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        var response = new CreateTopicsResponse();
        var duplicates = request.Topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var native = new Native.CreateTopicsRequest { ValidateOnly = request.validateOnly, TimeoutMs = Math.Max(0, request.timeoutMs) };
        var refused = new Dictionary<string, (ErrorCode Code, string Message)>(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            if (duplicates.Contains(topic.Name))
            {
                refused[topic.Name] = (ErrorCode.InvalidRequest, $"Topic '{topic.Name}' appears more than once in the request");
            }
            else if (topic.Configs.FirstOrDefault(c => c.Value is null) is { } nullConfig)
            {
                refused[topic.Name] = (ErrorCode.InvalidConfig, $"Config '{nullConfig.Name}' has a null value: leave it out to take the default");
            }
            else if (topic.Configs.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                refused[topic.Name] = (ErrorCode.InvalidConfig, $"Config '{twice.Key}' is given more than once");
            }
            else
            {
                native.Topics.Add(ToNative(topic));
            }
        }

        var results = new Dictionary<string, Native.TopicResult>(StringComparer.Ordinal);
        if (native.Topics.Count > 0)
        {
            // The endpoint asks the controller (one request timeout), then waits for leaders (at most timeout_ms).
            var wait = request.timeoutMs <= 0 ? TimeSpan.Zero : KafkaAdminRequests.Timeout(context, request.timeoutMs);
            var answer = await KafkaAdminRequests.AskAsync<Native.CreateTopicsResponse>(context, native, context.Services.RequestTimeout + wait + TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            foreach (var topic in native.Topics)
            {
                results[topic.Name] = answer?.Results.FirstOrDefault(r => r.Name == topic.Name)
                    ?? new Native.TopicResult { Name = topic.Name, ErrorCode = (int)ErrorCode.RequestTimedOut, ErrorMessage = "The controller did not answer in time; the topic may still be created" };
            }
        }

        var created = results.Values.Where(r => r.ErrorCode == 0).Select(r => r.Name).ToList();
        var configs = version >= 5 && created.Count > 0 && !request.validateOnly
            ? await TopicConfigsAsync(context, created, cancellationToken).ConfigureAwait(false)
            : [];
        foreach (var topic in request.Topics.DistinctBy(t => t.Name, StringComparer.Ordinal))
        {
            var result = new CreateTopicsResponse.CreatableTopicResult { Name = topic.Name };
            if (refused.TryGetValue(topic.Name, out var error))
            {
                result.ErrorCode = (short)error.Code;
                result.ErrorMessage = error.Message;
            }
            else
            {
                var native1 = results[topic.Name];
                result.ErrorCode = (short)native1.ErrorCode;
                result.ErrorMessage = native1.ErrorCode == 0 ? null : native1.ErrorMessage;
                if (native1.ErrorCode == 0)
                {
                    result.TopicId = KafkaAdminRequests.TopicId(native1.TopicId);
                    result.NumPartitions = native1.NumPartitions;
                    result.ReplicationFactor = (short)native1.ReplicationFactor;
                    result.Configs = configs.GetValueOrDefault(topic.Name) ?? Requested(topic);
                }
            }

            response.Topics.Add(result);
        }

        return response;
    }

    private static Native.CreatableTopic ToNative(CreateTopicsRequest.CreatableTopic topic)
    {
        var native = new Native.CreatableTopic { Name = topic.Name, NumPartitions = topic.NumPartitions, ReplicationFactor = topic.ReplicationFactor };
        foreach (var config in topic.Configs)
        {
            native.Configs[config.Name] = config.Value!;
        }

        foreach (var assignment in topic.Assignments)
        {
            var replicas = new Native.PartitionReplicas { Partition = assignment.PartitionIndex };
            replicas.Replicas.AddRange(assignment.BrokerIds);
            native.Assignments.Add(replicas);
        }

        return native;
    }

    /// <summary>The configs a validate-only request would give the topic: the ones it names.</summary>
    private static List<CreateTopicsResponse.CreatableTopicConfigs> Requested(CreateTopicsRequest.CreatableTopic topic) =>
        topic.Configs.Select(c => new CreateTopicsResponse.CreatableTopicConfigs { Name = c.Name, Value = c.Value, ConfigSource = TopicConfigSource }).ToList();

    private const sbyte TopicConfigSource = 1;

    private const int TopicResourceType = 2;

    /// <summary>The created topics' configs as DescribeConfigs shows them: every topic config, with its source.</summary>
    private static async Task<Dictionary<string, List<CreateTopicsResponse.CreatableTopicConfigs>>> TopicConfigsAsync(KafkaRequestContext context, List<string> topics, CancellationToken cancellationToken)
    {
        var request = new Native.DescribeConfigsRequest();
        request.Resources.AddRange(topics.Select(t => new Native.DescribeConfigsResource { ResourceType = TopicResourceType, ResourceName = t }));
        var described = await KafkaAdminRequests.AskAsync<Native.DescribeConfigsResponse>(context, request, context.Services.RequestTimeout, cancellationToken).ConfigureAwait(false);
        return (described?.Results ?? []).Where(r => r.ErrorCode == 0).DistinctBy(r => r.ResourceName, StringComparer.Ordinal).ToDictionary(
            r => r.ResourceName,
            r => r.Configs.Select(c => new CreateTopicsResponse.CreatableTopicConfigs { Name = c.Name, Value = c.Value, ReadOnly = c.ReadOnly, ConfigSource = (sbyte)c.ConfigSource, IsSensitive = c.IsSensitive }).ToList(),
            StringComparer.Ordinal);
    }
}
