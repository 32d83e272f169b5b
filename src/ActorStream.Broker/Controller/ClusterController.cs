using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using ActorStream.Broker.Hosting;
using ActorStream.Broker.Partition;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Controller;

/// <summary>
/// The cluster's controller: a persistent cluster singleton and the single authority for the cluster id, the
/// registered nodes, topics (ids, partitions, replica assignment, configs), leader epochs and producer ids. Every
/// change is persisted before anyone relies on it, then the whole <see cref="MetadataSnapshot"/> is published to
/// every node's endpoint, which answers Metadata requests from its copy. The snapshot also carries the ids of deleted
/// topics (<see cref="DeletedTopicIds"/>), so that every replica deletes its copy of a deleted topic.
/// </summary>
public sealed partial class ClusterController : ReceivePersistentActor
{
    public const string MetadataTopic = "actorstream-metadata";
    private const int ProducerIdBlockSize = 1000;

    /// <summary>A <see cref="ControllerSnapshot"/> is saved when the journal's sequence number reaches a multiple of this.</summary>
    public const int DefaultSnapshotEvery = 500;

    private readonly BrokerSettings _settings;
    private readonly IActorRef _partitions;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, TopicState> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<int, NodeRegistration> _nodes = [];
    private readonly HashSet<string> _memberAddresses = new(StringComparer.Ordinal);
    private readonly DeletedTopicIds _deletedTopicIds = new();
    private readonly int _snapshotEvery;
    private string _clusterId = "";
    private long _nextProducerId;
    private long _producerIdBlockEnd;
    private long _version;

    public ClusterController(BrokerSettings settings, IActorRef partitions, int snapshotEvery = DefaultSnapshotEvery)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapshotEvery);
        _settings = settings;
        _partitions = partitions;
        _snapshotEvery = snapshotEvery;

        Recover<SnapshotOffer>(offer => ApplySnapshot((ControllerSnapshot)offer.Snapshot));
        Recover<ClusterIdAssigned>(Apply);
        Recover<NodeJoined>(Apply);
        Recover<TopicCreated>(Apply);
        Recover<TopicDeleted>(Apply);
        Recover<ProducerIdBlockAllocated>(Apply);
        Recover<LeaderEpochBumped>(Apply);
        Recover<IsrChanged>(Apply);
        Recover<PartitionsAdded>(Apply);
        Recover<ReassignmentStarted>(Apply);
        Recover<ReassignmentCompleted>(Apply);
        Recover<TopicConfigsChanged>(Apply);
        Recover<RecoveryCompleted>(_ => _nextProducerId = _producerIdBlockEnd);

        Command<NodeRegistration>(HandleRegistration);
        Command<CreateTopicsRequest>(HandleCreateTopics);
        Command<DeleteTopicsRequest>(HandleDeleteTopics);
        Command<CreatePartitionsRequest>(HandleCreatePartitions);
        Command<ReassignPartitionsRequest>(HandleReassignPartitions);
        Command<ElectLeader>(HandleElectLeader);
        Command<AlterIsr>(HandleAlterIsr);
        Command<ReplicaLogLost>(HandleReplicaLogLost);
        Command<AlterConfigsRequest>(HandleAlterConfigs);
        Command<ListPartitionReassignmentsRequest>(HandleListPartitionReassignments);
        Command<ElectLeadersRequest>(HandleElectLeaders);
        Command<Akka.Cluster.ClusterEvent.MemberRemoved>(HandleMemberRemoved);
        Command<Akka.Cluster.ClusterEvent.MemberUp>(HandleMemberUp);
        Command<Akka.Cluster.ClusterEvent.CurrentClusterState>(HandleClusterState);
        Command<InitProducerIdRequest>(_ => HandleInitProducerId());
        Command<GetMetadataSnapshot>(_ => Sender.Tell(Snapshot()));
        Command<SaveSnapshotSuccess>(s => DeleteMessages(s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(f => _log.Warning("[Controller] Snapshot failed: {0}", f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(_ => { });
        Command<PartitionDeleted>(_ => { });
    }

    public override string PersistenceId => "controller";

    /// <param name="snapshotEvery">How often a controller snapshot is saved, in journal events (tests take smaller values).</param>
    public static Props Props(BrokerSettings settings, IActorRef partitions, int snapshotEvery = DefaultSnapshotEvery) =>
        Akka.Actor.Props.Create(() => new ClusterController(settings, partitions, snapshotEvery));

    protected override void PreStart()
    {
        base.PreStart();
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, Akka.Cluster.ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(Akka.Cluster.ClusterEvent.MemberRemoved), typeof(Akka.Cluster.ClusterEvent.MemberUp));
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        base.PostStop();
    }

    protected override void OnReplaySuccess()
    {
        _log.Info("[Controller] Recovered: cluster {0}, {1} topics, {2} nodes, {3} deleted topic ids", _clusterId, _topics.Count, _nodes.Count, _deletedTopicIds.Count);
        Publish();
    }

    #region state changes (the same Apply runs on recovery)

    private void Apply(ClusterIdAssigned e) => _clusterId = e.ClusterId;

    private void Apply(NodeJoined e) => _nodes[e.Node.NodeId] = e.Node;

    private void Apply(TopicCreated e) => _topics[e.Topic.Name] = e.Topic;

    private void Apply(TopicDeleted e)
    {
        _topics.Remove(e.Name);
        _deletedTopicIds.Add(e.TopicId);
    }

    private void Apply(ProducerIdBlockAllocated e) => _producerIdBlockEnd = e.NextProducerId;

    private void Apply(LeaderEpochBumped e)
    {
        var topic = _topics.Values.FirstOrDefault(t => t.TopicId == e.TopicId);
        var partition = topic?.Partitions.FirstOrDefault(p => p.Partition == e.Partition);
        if (partition is not null)
        {
            partition.LeaderEpoch = e.LeaderEpoch;
            partition.LeaderId = e.LeaderId;
            if (!partition.Isr.Contains(e.LeaderId))
            {
                // Only an unclean election gets here: the new leader's log is the truth from now on.
                partition.Isr.Clear();
                partition.Isr.Add(e.LeaderId);
                partition.PartitionEpoch++;
            }
        }
    }

    private void ApplySnapshot(ControllerSnapshot snapshot)
    {
        _clusterId = snapshot.ClusterId;
        _topics.Clear();
        foreach (var topic in snapshot.Topics)
        {
            _topics[topic.Name] = topic;
        }

        _nodes.Clear();
        foreach (var node in snapshot.Nodes)
        {
            _nodes[node.NodeId] = node;
        }

        _producerIdBlockEnd = snapshot.NextProducerId;
        _deletedTopicIds.Reset(snapshot.DeletedTopicIds);
    }

    #endregion

    private void HandleRegistration(NodeRegistration registration)
    {
        if (_clusterId.Length > 0 && registration.ClusterId.Length > 0 && registration.ClusterId != _clusterId)
        {
            Sender.Tell(new NodeRegistered
            {
                ErrorCode = (int)ErrorCode.InconsistentClusterId,
                ErrorMessage = $"Node {registration.NodeId} belongs to cluster {registration.ClusterId}, but this journal holds cluster {_clusterId}",
            });
            return;
        }

        if (RefuseRegistration(registration) is { } refusal)
        {
            _log.Warning("[Controller] Refused node {0} at {1}: {2}", registration.NodeId, registration.Address, refusal.Message);
            Sender.Tell(new NodeRegistered { ErrorCode = (int)refusal.Code, ErrorMessage = refusal.Message });
            return;
        }

        var events = new List<object>();
        if (_clusterId.Length == 0)
        {
            events.Add(new ClusterIdAssigned { ClusterId = registration.ClusterId.Length > 0 ? registration.ClusterId : MetaProperties.NewClusterId() });
        }

        var node = Persistable(registration);
        if (!_nodes.TryGetValue(registration.NodeId, out var known) || !known.Equals(node))
        {
            events.Add(new NodeJoined { Node = node });
        }

        // It is a member (it joined before registering), even if the MemberUp gossip has not reached this node yet.
        _memberAddresses.Add(registration.Address);
        var replyTo = Sender;
        PersistAllThen(events, () =>
        {
            _nodes[registration.NodeId].ClusterId = _clusterId;
            replyTo.Tell(new NodeRegistered { ClusterId = _clusterId });
        });
    }

    private void HandleCreateTopics(CreateTopicsRequest request)
    {
        var results = new List<TopicResult>();
        var events = new List<object>();
        var pending = new HashSet<string>(StringComparer.Ordinal);
        foreach (var creatable in request.Topics)
        {
            var error = ValidateCreate(creatable, pending, out var partitions, out var replicationFactor);
            if (error is { } e)
            {
                results.Add(new TopicResult { Name = creatable.Name, ErrorCode = (int)e.Code, ErrorMessage = e.Message });
                continue;
            }

            var topic = new TopicState
            {
                Name = creatable.Name,
                TopicId = Guid.NewGuid().ToString("N"),
                ReplicationFactor = replicationFactor,
            };
            topic.Configs.Add(creatable.Configs);
            var live = LiveNodeIds;
            var assignment = ReplicaAssignment.Assign(live, partitions, replicationFactor, Random.Shared.Next(live.Count));
            for (var p = 0; p < partitions; p++)
            {
                var partition = new PartitionAssignment { Partition = p, LeaderId = -1, LeaderEpoch = -1 };
                partition.Replicas.AddRange(assignment[p]);
                partition.Isr.AddRange(assignment[p]);
                topic.Partitions.Add(partition);
            }

            pending.Add(topic.Name);
            events.Add(new TopicCreated { Topic = topic });
            results.Add(new TopicResult { Name = topic.Name, TopicId = topic.TopicId });
        }

        var replyTo = Sender;
        PersistAllThen(events, () =>
        {
            foreach (var created in events.OfType<TopicCreated>())
            {
                _log.Info("[Controller] Created topic {0} ({1}) with {2} partitions, replication factor {3}", created.Topic.Name, created.Topic.TopicId, created.Topic.Partitions.Count, created.Topic.ReplicationFactor);
                foreach (var partition in created.Topic.Partitions)
                {
                    // Start the partition now (remember-entities keeps it running from here on).
                    _partitions.Tell(new Akka.Cluster.Sharding.ShardRegion.StartEntity(new PartitionEntityId(created.Topic.TopicId, partition.Partition).ToString()));
                }
            }

            var response = new CreateTopicsResponse();
            response.Results.AddRange(results);
            replyTo.Tell(response);
        });
    }

    private (ErrorCode Code, string Message)? ValidateCreate(CreatableTopic creatable, HashSet<string> pending, out int partitions, out int replicationFactor)
    {
        partitions = creatable.NumPartitions <= 0 && creatable.NumPartitions != -1 ? 0 : creatable.NumPartitions == -1 ? _settings.NumPartitions : creatable.NumPartitions;
        replicationFactor = creatable.ReplicationFactor == -1 ? _settings.DefaultReplicationFactor : creatable.ReplicationFactor;
        if (TopicNameValidator.Validate(creatable.Name) is { } nameError)
        {
            return (ErrorCode.InvalidTopicException, nameError);
        }

        if (_topics.ContainsKey(creatable.Name) || pending.Contains(creatable.Name))
        {
            return (ErrorCode.TopicAlreadyExists, $"Topic '{creatable.Name}' already exists");
        }

        if (partitions <= 0)
        {
            return (ErrorCode.InvalidPartitions, $"Number of partitions must be ≥ 1, not {creatable.NumPartitions}");
        }

        if (replicationFactor <= 0)
        {
            return (ErrorCode.InvalidReplicationFactor, $"Replication factor must be ≥ 1, not {creatable.ReplicationFactor}");
        }

        if (replicationFactor > LiveNodeIds.Count)
        {
            return (ErrorCode.InvalidReplicationFactor, $"Replication factor {replicationFactor} is larger than the {LiveNodeIds.Count} live nodes [{string.Join(',', LiveNodeIds)}]");
        }

        if (TopicConfigs.Validate(creatable.Configs) is { } configError)
        {
            return (ErrorCode.InvalidConfig, configError);
        }

        return null;
    }

    private void HandleDeleteTopics(DeleteTopicsRequest request)
    {
        var results = new List<TopicResult>();
        var events = new List<object>();
        foreach (var name in request.Names.Distinct(StringComparer.Ordinal))
        {
            if (!_topics.TryGetValue(name, out var topic))
            {
                results.Add(new TopicResult { Name = name, ErrorCode = (int)ErrorCode.UnknownTopicOrPartition, ErrorMessage = $"Topic '{name}' does not exist" });
                continue;
            }

            events.Add(new TopicDeleted { Name = name, TopicId = topic.TopicId });
            results.Add(new TopicResult { Name = name, TopicId = topic.TopicId });
        }

        var replyTo = Sender;
        var deletedTopics = events.OfType<TopicDeleted>().Select(e => _topics[e.Name]).ToList();
        PersistAllThen(events, () =>
        {
            foreach (var topic in deletedTopics)
            {
                _log.Info("[Controller] Deleted topic {0} ({1})", topic.Name, topic.TopicId);
                foreach (var partition in topic.Partitions)
                {
                    _partitions.Tell(new PartitionDelete { EntityId = new PartitionEntityId(topic.TopicId, partition.Partition).ToString() });
                }
            }

            var response = new DeleteTopicsResponse();
            response.Results.AddRange(results);
            replyTo.Tell(response);
        });
    }

    private void HandleElectLeader(ElectLeader elect)
    {
        var topic = _topics.Values.FirstOrDefault(t => t.TopicId == elect.TopicId);
        var partition = topic?.Partitions.FirstOrDefault(p => p.Partition == elect.Partition);
        if (topic is null || partition is null)
        {
            Sender.Tell(new LeaderElected { ErrorCode = (int)ErrorCode.UnknownTopicId, ErrorMessage = $"No topic with id {elect.TopicId} and partition {elect.Partition}" });
            return;
        }

        if (!partition.Replicas.Contains(elect.NodeId))
        {
            Sender.Tell(new LeaderElected { ErrorCode = (int)ErrorCode.NotLeaderOrFollower, ErrorMessage = $"Node {elect.NodeId} holds no replica of {topic.Name}-{partition.Partition}" });
            return;
        }

        if (!partition.Isr.Contains(elect.NodeId) && !UncleanElectionEnabled(topic))
        {
            Sender.Tell(new LeaderElected
            {
                ErrorCode = (int)ErrorCode.NotLeaderOrFollower,
                ErrorMessage = $"Node {elect.NodeId} is not in the ISR [{string.Join(',', partition.Isr)}] of {topic.Name}-{partition.Partition} (unclean.leader.election.enable=false)",
            });
            return;
        }

        var replyTo = Sender;
        var bumped = new LeaderEpochBumped { TopicId = topic.TopicId, Partition = partition.Partition, LeaderEpoch = partition.LeaderEpoch + 1, LeaderId = elect.NodeId };
        PersistAllThen([bumped], () => replyTo.Tell(new LeaderElected { Topic = topic.Clone(), LeaderEpoch = bumped.LeaderEpoch }));
    }

    private void HandleInitProducerId()
    {
        var replyTo = Sender;
        if (_nextProducerId < _producerIdBlockEnd)
        {
            replyTo.Tell(new InitProducerIdResponse { ProducerId = _nextProducerId++, ProducerEpoch = 0 });
            return;
        }

        // Ids are handed out from persisted blocks: after a crash the rest of a block is skipped, never reused.
        Persist(new ProducerIdBlockAllocated { NextProducerId = _producerIdBlockEnd + ProducerIdBlockSize }, e =>
        {
            Apply(e);
            replyTo.Tell(new InitProducerIdResponse { ProducerId = _nextProducerId++, ProducerEpoch = 0 });
        });
    }

    /// <summary>Persists the events, applies them, publishes the new metadata, then runs <paramref name="then"/>.</summary>
    private void PersistAllThen(List<object> events, Action then)
    {
        if (events.Count == 0)
        {
            then();
            return;
        }

        var remaining = events.Count;
        PersistAll(events, e =>
        {
            switch (e)
            {
                case ClusterIdAssigned c: Apply(c); break;
                case NodeJoined n: Apply(n); break;
                case TopicCreated t: Apply(t); break;
                case TopicDeleted d: Apply(d); break;
                case LeaderEpochBumped b: Apply(b); break;
                case IsrChanged i: Apply(i); break;
                case PartitionsAdded a: Apply(a); break;
                case ReassignmentStarted r: Apply(r); break;
                case ReassignmentCompleted r: Apply(r); break;
                case TopicConfigsChanged c: Apply(c); break;
            }

            if (--remaining == 0)
            {
                Publish();
                then();
                if (LastSequenceNr % _snapshotEvery == 0)
                {
                    SaveSnapshot(ToSnapshot());
                }
            }
        });
    }

    private ControllerSnapshot ToSnapshot()
    {
        var snapshot = new ControllerSnapshot { ClusterId = _clusterId, NextProducerId = _producerIdBlockEnd };
        // Copies: the snapshot store serializes it later, while this actor goes on changing its state.
        snapshot.Topics.AddRange(_topics.Values.Select(t => t.Clone()));
        snapshot.Nodes.AddRange(_nodes.Values.Select(n => n.Clone()));
        snapshot.DeletedTopicIds.AddRange(_deletedTopicIds.OldestFirst);
        return snapshot;
    }

    private MetadataSnapshot Snapshot()
    {
        var snapshot = new MetadataSnapshot { Version = _version, ClusterId = _clusterId, ControllerId = _settings.NodeId };
        snapshot.Brokers.AddRange(_nodes.Values.OrderBy(n => n.NodeId).Select(ToBrokerNode));
        // Deep copies: on this node the snapshot reaches the endpoint and the allocation strategy without serialization,
        // and the controller keeps changing its own TopicState objects (an endpoint comparing "before" with "after" would
        // see its old snapshot change under it).
        snapshot.Topics.AddRange(_topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => t.Clone()));
        // Tombstones: every node deletes its logs of these topics (strings are immutable, the repeated field is new).
        snapshot.DeletedTopicIds.AddRange(_deletedTopicIds.OldestFirst);
        return snapshot;
    }

    private static Protocol.Client.BrokerNode ToBrokerNode(NodeRegistration node)
    {
        var broker = new Protocol.Client.BrokerNode { NodeId = node.NodeId, Host = node.Host, Port = node.Port, Address = node.Address };
        broker.KafkaListeners.AddRange(node.KafkaListeners.Select(l => l.Clone()));
        return broker;
    }

    private void Publish()
    {
        // Versions must grow across singleton hand-overs too: endpoints ignore anything older than what they have.
        _version = Math.Max(_version + 1, DateTime.UtcNow.Ticks);
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Publish(MetadataTopic, Snapshot()));
    }
}
