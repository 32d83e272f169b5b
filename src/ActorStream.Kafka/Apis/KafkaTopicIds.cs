using System.Collections.Concurrent;
using Akka.Actor;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// Topic id to name, per node (an Akka extension), for requests that name topics by id (Fetch v13+, Metadata v10+).
/// Learnt from every metadata answer the gateway sees; a miss asks the node's endpoint for all topics once. Ids never
/// change meaning (a re-created topic gets a new id), so an entry never goes stale; a deleted topic's entry answers
/// with its old name and the broker then says UNKNOWN_TOPIC_OR_PARTITION.
/// </summary>
internal sealed class KafkaTopicIds : IExtension
{
    private readonly ConcurrentDictionary<Guid, string> _names = new();

    private readonly ConcurrentDictionary<string, Guid> _ids = new(StringComparer.Ordinal);

    public static KafkaTopicIds Get(ActorSystem system) => system.WithExtension<KafkaTopicIds, KafkaTopicIdsProvider>();

    /// <summary>The topic id of a native topic id string (a UUID), or <see cref="Guid.Empty"/>.</summary>
    public static Guid Parse(string topicId) => Guid.TryParse(topicId, out var id) ? id : Guid.Empty;

    public void Learn(Native.MetadataResponse metadata)
    {
        foreach (var topic in metadata.Topics)
        {
            if (topic.ErrorCode == 0 && Parse(topic.TopicId) is var id && id != Guid.Empty)
            {
                _names[id] = topic.Name;
                _ids[topic.Name] = id;
            }
        }
    }

    /// <summary>The name of topic <paramref name="id"/>, or null when no topic has it.</summary>
    public async ValueTask<string?> NameAsync(KafkaRequestContext context, Guid id, CancellationToken cancellationToken)
    {
        if (_names.TryGetValue(id, out var name))
        {
            return name;
        }

        var metadata = await context.Services.BrokerEndpoint
            .Ask<Native.MetadataResponse>(new Native.MetadataRequest { AllTopics = true }, context.Services.RequestTimeout, cancellationToken)
            .ConfigureAwait(false);
        Learn(metadata);
        return _names.GetValueOrDefault(id);
    }

    /// <summary>
    /// The id of topic <paramref name="name"/>, or <see cref="Guid.Empty"/> when no topic has that name; a miss asks the
    /// node for all topics. A re-created topic's new id replaces the old one with the next metadata answer learnt.
    /// </summary>
    public async ValueTask<Guid> IdAsync(KafkaRequestContext context, string name, CancellationToken cancellationToken)
    {
        if (_ids.TryGetValue(name, out var id))
        {
            return id;
        }

        var metadata = await context.Services.BrokerEndpoint
            .Ask<Native.MetadataResponse>(new Native.MetadataRequest { AllTopics = true }, context.Services.RequestTimeout, cancellationToken)
            .ConfigureAwait(false);
        Learn(metadata);
        if (metadata.Topics.All(t => t.Name != name || t.ErrorCode != 0))
        {
            _ids.TryRemove(name, out _);
        }

        return _ids.GetValueOrDefault(name);
    }
}

internal sealed class KafkaTopicIdsProvider : ExtensionIdProvider<KafkaTopicIds>
{
    public override KafkaTopicIds CreateExtension(ExtendedActorSystem system) => new();
}
