using Akka.Actor;
using ActorStream.Broker.Controller;
using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// Metadata v0-12: the cluster's nodes at the addresses of the listener the request arrived on, the cluster id, a
/// controller id that is always one of the listed nodes, and per topic its id (v10+), partitions with leader, leader
/// epoch, replicas and ISR. Missing topics are created when the request allows it (v4+; always before v4, as Kafka)
/// and the node's <c>auto.create.topics.enable</c> is on (librdkafka's and NestJS's habit).
/// </summary>
internal sealed class Api03Metadata : KafkaApi<MetadataRequest, MetadataResponse>
{
    public override short MinVersion => 0;

    public override short MaxVersion => 12;

    public override string Notes =>
        "Brokers: each node's address for the listener the request arrived on; rack null; offline replicas empty; " +
        "authorized operations not computed (-2147483648). Auto-creation needs auto.create.topics.enable and (v4+) allow_auto_topic_creation.";

    protected override async ValueTask<MetadataResponse?> HandleAsync(KafkaRequestContext context, MetadataRequest request, CancellationToken cancellationToken)
    {
        var version = context.Header.ApiVersion;
        var all = request.Topics is null || (version == 0 && request.Topics.Count == 0);
        var topicIds = KafkaTopicIds.Get(context.Services.System);

        // The answer keeps the request's order: each entry is a name to look up or an error decided here.
        var wanted = new List<(string? Name, Guid Id, ErrorCode Error)>();
        if (!all)
        {
            foreach (var topic in request.Topics!)
            {
                if (string.IsNullOrEmpty(topic.Name) && topic.TopicId != Guid.Empty)
                {
                    var name = await topicIds.NameAsync(context, topic.TopicId, cancellationToken).ConfigureAwait(false);
                    wanted.Add((name, topic.TopicId, name is null ? ErrorCode.UnknownTopicId : ErrorCode.None));
                }
                else
                {
                    var name = topic.Name ?? "";
                    wanted.Add((name, Guid.Empty, TopicNameValidator.Validate(name) is null ? ErrorCode.None : ErrorCode.InvalidTopicException));
                }
            }
        }

        var nativeRequest = new Native.MetadataRequest { AllTopics = all, AllowAutoTopicCreation = version < 4 || request.AllowAutoTopicCreation };
        nativeRequest.Topics.AddRange(wanted.Where(w => w.Error == ErrorCode.None).Select(w => w.Name!).Distinct(StringComparer.Ordinal));

        // Auto-creation goes through the controller (one request timeout), then refreshes the metadata.
        var metadata = await context.Services.BrokerEndpoint
            .Ask<Native.MetadataResponse>(nativeRequest, context.Services.RequestTimeout * 2, cancellationToken)
            .ConfigureAwait(false);
        topicIds.Learn(metadata);

        var response = new MetadataResponse { ClusterId = string.IsNullOrEmpty(metadata.ClusterId) ? context.Services.ClusterId : metadata.ClusterId };
        var brokers = KafkaBrokers.For(context, metadata);
        response.Brokers.AddRange(brokers.Select(b => new MetadataResponse.MetadataResponseBroker { NodeId = b.NodeId, Host = b.Host, Port = b.Port, Rack = null }));
        response.ControllerId = brokers.Any(b => b.NodeId == metadata.ControllerId) ? metadata.ControllerId : brokers.Min(b => b.NodeId);

        var byName = metadata.Topics.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        if (all)
        {
            response.Topics.AddRange(metadata.Topics.Select(t => Topic(t, version, byId: false)));
            return response;
        }

        foreach (var (name, id, error) in wanted)
        {
            if (error != ErrorCode.None)
            {
                response.Topics.Add(new MetadataResponse.MetadataResponseTopic
                {
                    ErrorCode = (short)error,
                    Name = error != ErrorCode.UnknownTopicId ? name : version >= 12 ? null : "",
                    TopicId = id,
                });
                continue;
            }

            if (!byName.TryGetValue(name!, out var topic))
            {
                topic = new Native.TopicMetadata { Name = name, ErrorCode = (int)ErrorCode.UnknownTopicOrPartition };
            }

            response.Topics.Add(Topic(topic, version, byId: id != Guid.Empty));
        }

        return response;
    }

    private static MetadataResponse.MetadataResponseTopic Topic(Native.TopicMetadata topic, short version, bool byId)
    {
        var error = (ErrorCode)topic.ErrorCode;
        var result = new MetadataResponse.MetadataResponseTopic
        {
            // A topic asked for by id that is gone answers with its id only (Kafka's UNKNOWN_TOPIC_ID).
            ErrorCode = (short)(byId && error == ErrorCode.UnknownTopicOrPartition ? ErrorCode.UnknownTopicId : error),
            Name = byId && error != ErrorCode.None ? (version >= 12 ? null : "") : topic.Name,
            TopicId = version >= 10 ? KafkaTopicIds.Parse(topic.TopicId) : Guid.Empty,
            IsInternal = false,
        };
        foreach (var p in topic.Partitions.OrderBy(p => p.Partition))
        {
            var partition = new MetadataResponse.MetadataResponsePartition
            {
                ErrorCode = (short)p.ErrorCode,
                PartitionIndex = p.Partition,
                LeaderId = p.LeaderId,
                LeaderEpoch = version >= 7 ? p.LeaderEpoch : -1,
            };
            partition.ReplicaNodes.AddRange(p.Replicas);
            partition.IsrNodes.AddRange(p.Isr);
            result.Partitions.Add(partition);
        }

        return result;
    }
}
