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
}

internal sealed class KafkaTopicIdsProvider : ExtensionIdProvider<KafkaTopicIds>
{
    public override KafkaTopicIds CreateExtension(ExtendedActorSystem system) => new();
}
