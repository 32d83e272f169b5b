using Akka.Actor;
using Akka.Event;
using ActorStream.Broker.Configs;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Controller;

/// <summary>
/// Topic configs after creation (Kafka's AlterConfigs and IncrementalAlterConfigs): each resource is checked on its own
/// (one error code per resource), the new set is persisted as <see cref="TopicConfigsChanged"/> and published; the
/// node endpoints pass it on to their leaders (<see cref="PartitionConfigsChanged"/>) and the replica fetchers to their
/// follower logs. Broker configs are static (HOCON): altering one is refused.
/// </summary>
public sealed partial class ClusterController
{
    private void Apply(TopicConfigsChanged e)
    {
        if (_topics.Values.FirstOrDefault(t => t.TopicId == e.TopicId) is { } topic)
        {
            topic.Configs.Clear();
            topic.Configs.Add(e.Configs);
        }
    }

    private void HandleAlterConfigs(AlterConfigsRequest request)
    {
        var results = new List<AlterConfigsResult>();
        var events = new List<object>();
        var changedInThisRequest = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in request.Resources)
        {
            var result = new AlterConfigsResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            results.Add(result);
            switch (resource.ResourceType)
            {
                case ConfigResourceType.Broker:
                    result.ErrorCode = (int)ErrorCode.InvalidRequest;
                    result.ErrorMessage = $"Broker configs are static: set them in the node's HOCON config (actorstream.broker.*) and restart it; dynamic broker configs are not supported (broker '{resource.ResourceName}')";
                    continue;
                case ConfigResourceType.Topic:
                    break;
                default:
                    result.ErrorCode = (int)ErrorCode.InvalidRequest;
                    result.ErrorMessage = $"Unsupported config resource type {resource.ResourceType} (only topics, 2, and brokers, 4)";
                    continue;
            }

            if (!_topics.TryGetValue(resource.ResourceName, out var topic))
            {
                result.ErrorCode = (int)ErrorCode.UnknownTopicOrPartition;
                result.ErrorMessage = $"Topic '{resource.ResourceName}' does not exist";
                continue;
            }

            if (!changedInThisRequest.Add(topic.Name))
            {
                result.ErrorCode = (int)ErrorCode.InvalidRequest;
                result.ErrorMessage = $"Topic '{topic.Name}' appears more than once in the request";
                continue;
            }

            var outcome = TopicConfigAlteration.Apply(topic.Configs, resource, request.Incremental);
            if (outcome.Configs is not { } configs)
            {
                result.ErrorCode = (int)outcome.Error;
                result.ErrorMessage = $"Topic '{topic.Name}': {outcome.Message}";
                continue;
            }

            var unchanged = configs.Count == topic.Configs.Count && configs.All(c => topic.Configs.TryGetValue(c.Key, out var v) && v == c.Value);
            if (request.ValidateOnly || unchanged)
            {
                continue;
            }

            var changed = new TopicConfigsChanged { TopicId = topic.TopicId };
            changed.Configs.Add(configs);
            events.Add(changed);
        }

        var replyTo = Sender;
        PersistAllThen(events, () =>
        {
            foreach (var changed in events.OfType<TopicConfigsChanged>())
            {
                _log.Info("[Controller] Topic id {0} configs are now {{{1}}}", changed.TopicId, string.Join(", ", changed.Configs.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key + "=" + c.Value)));
            }

            var response = new AlterConfigsResponse();
            response.Results.AddRange(results);
            replyTo.Tell(response);
        });
    }
}
