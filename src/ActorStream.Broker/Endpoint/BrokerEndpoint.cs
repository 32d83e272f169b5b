using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using ActorStream.Broker.Controller;
using ActorStream.Broker.Partition;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;
using ActorStream.Protocol.Group;

namespace ActorStream.Broker.Endpoint;

/// <summary>
/// The node endpoint, <c>/user/broker</c>: the address clients bootstrap from. Answers Metadata from its copy of
/// the controller's metadata, splits multi-partition Produce, Fetch and ListOffsets requests into per-partition
/// messages for the partition entities (through the shard region) and merges their replies, one error code per
/// partition. Admin requests go to the controller, consumer group requests to the group coordinator (see
/// BrokerEndpoint.Groups.cs). Requests that arrive before the first metadata are stashed.
/// </summary>
public sealed partial class BrokerEndpoint : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    private sealed class PollMetadata
    {
        public static readonly PollMetadata Instance = new();
    }

    private sealed record MetadataRefreshed(MetadataSnapshot Snapshot, MetadataRequest Request, IActorRef ReplyTo);

    private readonly BrokerSettings _settings;
    private readonly IActorRef _partitions;
    private readonly IActorRef _controller;
    private readonly IActorRef _groupCoordinator;
    private readonly IActorRef _replicaManager;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private MetadataView _metadata = MetadataView.Empty;

    public BrokerEndpoint(BrokerSettings settings, IActorRef partitions, IActorRef controller, IActorRef groupCoordinator, IActorRef replicaManager)
    {
        _replicaManager = replicaManager;
        _groupCoordinator = groupCoordinator;
        _settings = settings;
        _partitions = partitions;
        _controller = controller;
        Become(WaitingForMetadata);
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(BrokerSettings settings, IActorRef partitions, IActorRef controller, IActorRef groupCoordinator, IActorRef replicaManager) =>
        Akka.Actor.Props.Create(() => new BrokerEndpoint(settings, partitions, controller, groupCoordinator, replicaManager));

    protected override void PreStart()
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(ClusterController.MetadataTopic, Self));
        _controller.Tell(new GetMetadataSnapshot());
        Timers.StartPeriodicTimer("poll-metadata", PollMetadata.Instance, TimeSpan.FromSeconds(1));
        StartLookingForLocalCoordinator();
    }

    private void WaitingForMetadata()
    {
        Receive<MetadataSnapshot>(snapshot =>
        {
            UpdateMetadata(snapshot);
            if (_metadata.HasNode(_settings.NodeId))
            {
                Become(Serving);
                Stash.UnstashAll();
            }
        });
        Receive<SubscribeAck>(_ => { });
        Receive<PollMetadata>(_ => _controller.Tell(new GetMetadataSnapshot()));
        ReceiveLocalCoordinatorTracking();
        ReceiveAny(_ => Stash.Stash());
    }

    private void Serving()
    {
        Receive<MetadataSnapshot>(UpdateMetadata);
        Receive<SubscribeAck>(_ => { });
        // Pub-sub can lose a message (e.g. during a singleton hand-over): poll as a safety net.
        Receive<PollMetadata>(_ => _controller.Tell(new GetMetadataSnapshot()));
        Receive<MetadataRequest>(HandleMetadata);
        Receive<MetadataRefreshed>(refreshed =>
        {
            UpdateMetadata(refreshed.Snapshot);
            refreshed.ReplyTo.Tell(_metadata.ToResponse(refreshed.Request.AllTopics ? null : refreshed.Request.Topics));
        });
        Receive<ProduceRequest>(HandleProduce);
        Receive<FetchRequest>(HandleFetch);
        Receive<ListOffsetsRequest>(HandleListOffsets);
        Receive<CreateTopicsRequest>(HandleCreateTopics);
        Receive<DeleteTopicsRequest>(request => _controller.Forward(request));
        Receive<CreatePartitionsRequest>(HandleCreatePartitions);
        Receive<ReassignPartitionsRequest>(request => _controller.Forward(request));
        Receive<InitProducerIdRequest>(request => _controller.Forward(request));
        ReceiveLocalCoordinatorTracking();
        ReceiveGroupRequests();
        ReceiveAdminRequests();
    }

    private void UpdateMetadata(MetadataSnapshot snapshot)
    {
        if (snapshot.Version > _metadata.Version)
        {
            var previous = _metadata;
            _metadata = new MetadataView(snapshot);
            _replicaManager.Tell(snapshot);
            PushIsrChangesToLocalLeaders(previous.Snapshot, snapshot);
            PushConfigChangesToLocalLeaders(previous.Snapshot, snapshot);
        }
    }

    /// <summary>
    /// ISR changes the controller made without the leader asking (a node left the cluster) reach the local leaders
    /// here, so they stop waiting for the gone follower at once.
    /// </summary>
    private void PushIsrChangesToLocalLeaders(MetadataSnapshot previous, MetadataSnapshot current)
    {
        var before = previous.Topics.SelectMany(t => t.Partitions.Select(p => (t.TopicId, p.Partition, p.PartitionEpoch)))
            .ToDictionary(x => (x.TopicId, x.Partition), x => x.PartitionEpoch);
        foreach (var topic in current.Topics)
        {
            foreach (var partition in topic.Partitions.Where(p => p.LeaderId == _settings.NodeId))
            {
                if (before.TryGetValue((topic.TopicId, partition.Partition), out var epoch) && epoch == partition.PartitionEpoch)
                {
                    continue;
                }

                _partitions.Tell(new PartitionStateChanged { EntityId = new PartitionEntityId(topic.TopicId, partition.Partition).ToString(), Partition = partition });
            }
        }
    }

    private void HandleMetadata(MetadataRequest request)
    {
        var missing = request.AllTopics ? [] : request.Topics.Where(t => _metadata.Topic(t) is null).Distinct().ToList();
        if (missing.Count == 0 || !request.AllowAutoTopicCreation || !_settings.AutoCreateTopicsEnable)
        {
            Sender.Tell(_metadata.ToResponse(request.AllTopics ? null : request.Topics));
            return;
        }

        // auto.create.topics.enable: create the missing topics with the defaults, then answer from fresh metadata.
        var create = new CreateTopicsRequest();
        create.Topics.AddRange(missing.Select(name => new CreatableTopic { Name = name, NumPartitions = -1, ReplicationFactor = -1 }));
        var replyTo = Sender;
        var controller = _controller;
        var timeout = _settings.RequestTimeout;
        RefreshAfter(controller.Ask<CreateTopicsResponse>(create, timeout), request, replyTo);
    }

    private void HandleCreateTopics(CreateTopicsRequest request)
    {
        // Answer once this node's metadata shows the new topics with a leader for every partition, so the caller
        // can produce and describe right away.
        var replyTo = Sender;
        var controller = _controller;
        var timeout = _settings.RequestTimeout;
        CreateAndAwaitLeadersAsync(controller, request, timeout)
            .PipeTo(Self, success: r =>
            {
                replyTo.Tell(r.Response);
                return r.Snapshot;
            }, failure: e =>
            {
                var response = new CreateTopicsResponse();
                response.Results.AddRange(request.Topics.Select(t => new TopicResult { Name = t.Name, ErrorCode = (int)ErrorCode.RequestTimedOut, ErrorMessage = "The controller did not answer: " + e.Message }));
                replyTo.Tell(response);
                return _metadata.Snapshot;
            });
    }

    private static async Task<(CreateTopicsResponse Response, MetadataSnapshot Snapshot)> CreateAndAwaitLeadersAsync(IActorRef controller, CreateTopicsRequest request, TimeSpan timeout)
    {
        var response = await controller.Ask<CreateTopicsResponse>(request, timeout).ConfigureAwait(false);
        var snapshot = await AwaitLeadersAsync(controller, response.Results.Where(r => r.ErrorCode == 0).Select(r => r.Name), timeout).ConfigureAwait(false);
        return (response, snapshot);
    }

    /// <summary>Polls the controller until every partition of <paramref name="topics"/> has a leader (or the timeout passes).</summary>
    private static async Task<MetadataSnapshot> AwaitLeadersAsync(IActorRef controller, IEnumerable<string> topics, TimeSpan timeout)
    {
        var names = topics.ToHashSet(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var snapshot = await controller.Ask<MetadataSnapshot>(new GetMetadataSnapshot(), timeout).ConfigureAwait(false);
            var led = snapshot.Topics.Where(t => names.Contains(t.Name)).All(t => t.Partitions.All(p => p.LeaderId >= 0));
            if (led || DateTime.UtcNow >= deadline)
            {
                return snapshot;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    private void HandleCreatePartitions(CreatePartitionsRequest request)
    {
        var replyTo = Sender;
        var controller = _controller;
        var timeout = _settings.RequestTimeout;
        CreatePartitionsAndAwaitLeadersAsync(controller, request, timeout).PipeTo(
            Self,
            success: r =>
            {
                replyTo.Tell(r.Response);
                return r.Snapshot;
            },
            failure: e =>
            {
                var response = new CreatePartitionsResponse();
                response.Results.AddRange(request.Topics.Select(t => new TopicResult { Name = t.Name, ErrorCode = (int)ErrorCode.RequestTimedOut, ErrorMessage = "The controller did not answer: " + e.Message }));
                replyTo.Tell(response);
                return _metadata.Snapshot;
            });
    }

    private static async Task<(CreatePartitionsResponse Response, MetadataSnapshot Snapshot)> CreatePartitionsAndAwaitLeadersAsync(IActorRef controller, CreatePartitionsRequest request, TimeSpan timeout)
    {
        var response = await controller.Ask<CreatePartitionsResponse>(request, timeout).ConfigureAwait(false);
        var snapshot = await AwaitLeadersAsync(controller, response.Results.Where(r => r.ErrorCode == 0).Select(r => r.Name), timeout).ConfigureAwait(false);
        return (response, snapshot);
    }

    private void RefreshAfter(Task task, MetadataRequest request, IActorRef replyTo)
    {
        var controller = _controller;
        var timeout = _settings.RequestTimeout;
        task.ContinueWith(_ => controller.Ask<MetadataSnapshot>(new GetMetadataSnapshot(), timeout), TaskScheduler.Default)
            .Unwrap()
            .PipeTo(Self, success: snapshot => new MetadataRefreshed(snapshot, request, replyTo), failure: _ => new MetadataRefreshed(_metadata.Snapshot, request, replyTo));
    }

    private void HandleProduce(ProduceRequest request)
    {
        var timeout = TimeSpan.FromMilliseconds(request.TimeoutMs > 0 ? request.TimeoutMs : _settings.RequestTimeout.TotalMilliseconds);
        var replies = new List<Task<ProducePartitionResponse>>(request.Partitions.Count);
        foreach (var data in request.Partitions)
        {
            var (id, _, error) = _metadata.ResolveLocal(data.Topic, data.Partition, _settings.NodeId);
            if (id is null)
            {
                var message = error == ErrorCode.NotLeaderOrFollower ? $"Node {_settings.NodeId} does not lead {data.Topic}-{data.Partition}" : $"Unknown topic or partition {data.Topic}-{data.Partition}";
                replies.Add(Task.FromResult(new ProducePartitionResponse { Topic = data.Topic, Partition = data.Partition, ErrorCode = (int)error, ErrorMessage = message, BaseOffset = -1 }));
                continue;
            }

            var append = new PartitionAppend { EntityId = id.Value.ToString(), Acks = request.Acks, TimeoutMs = request.TimeoutMs, Records = data.Records };
            if (request.Acks == 0)
            {
                _partitions.Tell(append, ActorRefs.NoSender);
                continue;
            }

            var topic = data.Topic;
            var partition = data.Partition;
            replies.Add(_partitions.Ask<PartitionAppendResult>(append, timeout).ContinueWith(
                t => t.IsCompletedSuccessfully
                    ? new ProducePartitionResponse { Topic = topic, Partition = partition, ErrorCode = t.Result.ErrorCode, ErrorMessage = t.Result.ErrorMessage, BaseOffset = t.Result.BaseOffset, LogStartOffset = t.Result.LogStartOffset, LogAppendTime = -1 }
                    : new ProducePartitionResponse { Topic = topic, Partition = partition, ErrorCode = (int)ErrorCode.RequestTimedOut, ErrorMessage = "The partition did not answer in time", BaseOffset = -1 },
                TaskScheduler.Default));
        }

        if (request.Acks == 0)
        {
            return;
        }

        var correlationId = request.CorrelationId;
        Task.WhenAll(replies).PipeTo(Sender, success: results =>
        {
            var response = new ProduceResponse { CorrelationId = correlationId };
            response.Partitions.AddRange(results);
            return response;
        });
    }

    private void HandleFetch(FetchRequest request)
    {
        var routes = new List<(int, PartitionEntityId?, ErrorCode)>(request.Partitions.Count);
        for (var i = 0; i < request.Partitions.Count; i++)
        {
            var (id, _, error) = _metadata.ResolveLocal(request.Partitions[i].Topic, request.Partitions[i].Partition, _settings.NodeId);
            routes.Add((i, id, error));
        }

        var maxBytes = Math.Min(request.MaxBytes <= 0 ? _settings.MaxFetchResponseBytes : request.MaxBytes, _settings.MaxFetchResponseBytes);
        Context.ActorOf(FetchAggregator.Props(request, routes, _partitions, Sender, maxBytes));
    }

    private void HandleListOffsets(ListOffsetsRequest request)
    {
        var timeout = _settings.RequestTimeout;
        var replies = request.Partitions.Select(p =>
        {
            var (id, _, error) = _metadata.ResolveLocal(p.Topic, p.Partition, _settings.NodeId);
            if (id is null)
            {
                return Task.FromResult(new ListOffsetsPartitionResponse { Topic = p.Topic, Partition = p.Partition, ErrorCode = (int)error, Offset = -1, Timestamp = -1, LeaderEpoch = -1 });
            }

            var ask = new PartitionListOffset { EntityId = id.Value.ToString(), Timestamp = p.Timestamp };
            if (p.HasCurrentLeaderEpoch)
            {
                ask.CurrentLeaderEpoch = p.CurrentLeaderEpoch;
            }

            return _partitions.Ask<PartitionListOffsetResult>(ask, timeout)
                .ContinueWith(
                    t => t.IsCompletedSuccessfully
                        ? new ListOffsetsPartitionResponse { Topic = p.Topic, Partition = p.Partition, ErrorCode = t.Result.ErrorCode, ErrorMessage = t.Result.ErrorMessage, Offset = t.Result.Offset, Timestamp = t.Result.Timestamp, LeaderEpoch = t.Result.LeaderEpoch }
                        : new ListOffsetsPartitionResponse { Topic = p.Topic, Partition = p.Partition, ErrorCode = (int)ErrorCode.RequestTimedOut, Offset = -1, Timestamp = -1, LeaderEpoch = -1 },
                    TaskScheduler.Default);
        }).ToList();

        var correlationId = request.CorrelationId;
        Task.WhenAll(replies).PipeTo(Sender, success: results =>
        {
            var response = new ListOffsetsResponse { CorrelationId = correlationId };
            response.Partitions.AddRange(results);
            return response;
        });
    }
}
