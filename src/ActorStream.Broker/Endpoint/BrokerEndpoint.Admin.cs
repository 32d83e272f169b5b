using System.Globalization;
using Akka.Actor;
using ActorStream.Broker.Configs;
using ActorStream.Broker.Logs;
using ActorStream.Broker.Partition;
using ActorStream.Broker.Replication;
using ActorStream.Protocol;
using ActorStream.Protocol.Broker;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Endpoint;

/// <summary>
/// The admin requests the Kafka APIs need beyond topics: configs (describe here, alter at the controller), DeleteRecords
/// and OffsetForLeaderEpoch (per partition at its leader), DescribeLogDirs (this node's log manager), partition
/// reassignments and preferred leader elections (the controller).
/// </summary>
public sealed partial class BrokerEndpoint
{
    private void ReceiveAdminRequests()
    {
        Receive<DescribeConfigsRequest>(HandleDescribeConfigs);
        Receive<AlterConfigsRequest>(request => _controller.Forward(request));
        Receive<DeleteRecordsRequest>(HandleDeleteRecords);
        Receive<OffsetForLeaderEpochRequest>(HandleOffsetForLeaderEpoch);
        Receive<DescribeLogDirsRequest>(HandleDescribeLogDirs);
        Receive<ListPartitionReassignmentsRequest>(request => _controller.Forward(request));
        Receive<ElectLeadersRequest>(HandleElectLeaders);
    }

    /// <summary>Local leaders learn their topic's new configs (retention, max.message.bytes, min.insync.replicas, ...).</summary>
    private void PushConfigChangesToLocalLeaders(MetadataSnapshot previous, MetadataSnapshot current)
    {
        var before = previous.Topics.ToDictionary(t => t.TopicId, t => t.Configs, StringComparer.Ordinal);
        foreach (var topic in current.Topics)
        {
            if (!before.TryGetValue(topic.TopicId, out var configs) || configs.Equals(topic.Configs))
            {
                continue;
            }

            foreach (var partition in topic.Partitions.Where(p => p.LeaderId == _settings.NodeId))
            {
                var changed = new PartitionConfigsChanged { EntityId = new PartitionEntityId(topic.TopicId, partition.Partition).ToString() };
                changed.Configs.Add(topic.Configs);
                _partitions.Tell(changed);
            }
        }
    }

    private void HandleDescribeConfigs(DescribeConfigsRequest request)
    {
        var settings = _settings;
        var controller = _controller;
        var local = _metadata.Snapshot;
        var system = Context.System;
        DescribeConfigsAsync(request, settings, controller, local, system).PipeTo(Sender);
    }

    private static async Task<DescribeConfigsResponse> DescribeConfigsAsync(DescribeConfigsRequest request, BrokerSettings settings, IActorRef controller, MetadataSnapshot local, ActorSystem system)
    {
        // Topic configs from the controller's own state: a describe right after an alter on another node sees it.
        var snapshot = local;
        if (request.Resources.Any(r => r.ResourceType == ConfigResourceType.Topic))
        {
            try
            {
                snapshot = await controller.Ask<MetadataSnapshot>(new GetMetadataSnapshot(), settings.RequestTimeout).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
            }
        }

        var topics = snapshot.Topics.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var results = request.Resources.Select(async resource =>
        {
            var only = resource.ConfigNames.ToHashSet(StringComparer.Ordinal);
            switch (resource.ResourceType)
            {
                case ConfigResourceType.Topic:
                    return ConfigDescriber.DescribeTopic(resource.ResourceName, topics.GetValueOrDefault(resource.ResourceName), settings, only);
                case ConfigResourceType.Broker:
                    return await DescribeBrokerAsync(resource, settings, snapshot, system).ConfigureAwait(false);
                default:
                    return new DescribeConfigsResult
                    {
                        ResourceType = resource.ResourceType,
                        ResourceName = resource.ResourceName,
                        ErrorCode = (int)ErrorCode.InvalidRequest,
                        ErrorMessage = $"Unsupported config resource type {resource.ResourceType} (only topics, 2, and brokers, 4)",
                    };
            }
        });
        var response = new DescribeConfigsResponse();
        response.Results.AddRange(await Task.WhenAll(results).ConfigureAwait(false));
        return response;
    }

    /// <summary>A node describes its own settings; a request for another node's goes to that node's endpoint.</summary>
    private static async Task<DescribeConfigsResult> DescribeBrokerAsync(DescribeConfigsResource resource, BrokerSettings settings, MetadataSnapshot snapshot, ActorSystem system)
    {
        var only = resource.ConfigNames.ToHashSet(StringComparer.Ordinal);
        if (resource.ResourceName.Length == 0)
        {
            return ConfigDescriber.DescribeBroker(resource.ResourceName, settings, only);
        }

        var error = new DescribeConfigsResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName, ErrorCode = (int)ErrorCode.InvalidRequest };
        if (!int.TryParse(resource.ResourceName, NumberStyles.Integer, CultureInfo.InvariantCulture, out var nodeId))
        {
            error.ErrorMessage = $"A broker resource is named by its node id, not '{resource.ResourceName}'";
            return error;
        }

        if (nodeId == settings.NodeId)
        {
            return ConfigDescriber.DescribeBroker(resource.ResourceName, settings, only);
        }

        if (snapshot.Brokers.FirstOrDefault(b => b.NodeId == nodeId) is not { Address.Length: > 0 } broker)
        {
            error.ErrorMessage = $"Node {nodeId} is not in the cluster (nodes: {string.Join(", ", snapshot.Brokers.Select(b => b.NodeId))})";
            return error;
        }

        try
        {
            var forwarded = new DescribeConfigsRequest { Resources = { resource } };
            var response = await system.ActorSelection(broker.Address + "/user/broker").Ask<DescribeConfigsResponse>(forwarded, settings.RequestTimeout).ConfigureAwait(false);
            return response.Results.Single();
        }
        catch (AskTimeoutException)
        {
            error.ErrorCode = (int)ErrorCode.RequestTimedOut;
            error.ErrorMessage = $"Node {nodeId} did not answer within {settings.RequestTimeout}";
            return error;
        }
    }

    private void HandleDeleteRecords(DeleteRecordsRequest request)
    {
        var timeout = _settings.RequestTimeout;
        var replies = request.Partitions.Select(p =>
        {
            var (id, _, error) = _metadata.ResolveLocal(p.Topic, p.Partition, _settings.NodeId);
            if (id is null)
            {
                return Task.FromResult(new DeleteRecordsPartitionResult { Topic = p.Topic, Partition = p.Partition, ErrorCode = (int)error, ErrorMessage = NotHereMessage(error, p.Topic, p.Partition), LowWatermark = -1 });
            }

            return _partitions.Ask<PartitionDeleteRecordsResult>(new PartitionDeleteRecords { EntityId = id.Value.ToString(), Offset = p.Offset }, timeout).ContinueWith(
                t => t.IsCompletedSuccessfully
                    ? new DeleteRecordsPartitionResult { Topic = p.Topic, Partition = p.Partition, ErrorCode = t.Result.ErrorCode, ErrorMessage = t.Result.ErrorMessage, LowWatermark = t.Result.LowWatermark }
                    : new DeleteRecordsPartitionResult { Topic = p.Topic, Partition = p.Partition, ErrorCode = (int)ErrorCode.RequestTimedOut, ErrorMessage = "The partition did not answer in time", LowWatermark = -1 },
                TaskScheduler.Default);
        }).ToList();
        Task.WhenAll(replies).PipeTo(Sender, success: results =>
        {
            var response = new DeleteRecordsResponse();
            response.Partitions.AddRange(results);
            return response;
        });
    }

    private void HandleOffsetForLeaderEpoch(OffsetForLeaderEpochRequest request)
    {
        var timeout = _settings.RequestTimeout;
        var replies = request.Partitions.Select(p =>
        {
            var (id, _, error) = _metadata.ResolveLocal(p.Topic, p.Partition, _settings.NodeId);
            if (id is null)
            {
                return Task.FromResult(new OffsetForLeaderEpochPartitionResult { Topic = p.Topic, Partition = p.Partition, ErrorCode = (int)error, ErrorMessage = NotHereMessage(error, p.Topic, p.Partition), LeaderEpoch = -1, EndOffset = -1 });
            }

            var ask = new PartitionOffsetForLeaderEpoch { EntityId = id.Value.ToString(), LeaderEpoch = p.LeaderEpoch };
            if (p.HasCurrentLeaderEpoch)
            {
                ask.CurrentLeaderEpoch = p.CurrentLeaderEpoch;
            }

            return _partitions.Ask<PartitionOffsetForLeaderEpochResult>(ask, timeout).ContinueWith(
                t => t.IsCompletedSuccessfully
                    ? new OffsetForLeaderEpochPartitionResult { Topic = p.Topic, Partition = p.Partition, ErrorCode = t.Result.ErrorCode, ErrorMessage = t.Result.ErrorMessage, LeaderEpoch = t.Result.LeaderEpoch, EndOffset = t.Result.EndOffset }
                    : new OffsetForLeaderEpochPartitionResult { Topic = p.Topic, Partition = p.Partition, ErrorCode = (int)ErrorCode.RequestTimedOut, ErrorMessage = "The partition did not answer in time", LeaderEpoch = -1, EndOffset = -1 },
                TaskScheduler.Default);
        }).ToList();
        Task.WhenAll(replies).PipeTo(Sender, success: results =>
        {
            var response = new OffsetForLeaderEpochResponse();
            response.Partitions.AddRange(results);
            return response;
        });
    }

    private string NotHereMessage(ErrorCode error, string topic, int partition) =>
        error == ErrorCode.NotLeaderOrFollower ? $"Node {_settings.NodeId} does not lead {topic}-{partition}" : $"Unknown topic or partition {topic}-{partition}";

    private void HandleDescribeLogDirs(DescribeLogDirsRequest request)
    {
        var logManager = Context.ActorSelection("/user/log-manager");
        var replicaManager = _replicaManager;
        var settings = _settings;
        var snapshot = _metadata.Snapshot;
        DescribeLogDirsAsync(request, logManager, replicaManager, settings, snapshot).PipeTo(Sender, failure: e => new DescribeLogDirsResponse
        {
            ErrorCode = (int)ErrorCode.KafkaStorageError,
            ErrorMessage = "The log manager did not answer: " + e.Message,
            NodeId = settings.NodeId,
            LogDir = settings.LogsDir,
            TotalBytes = -1,
            UsableBytes = -1,
        });
    }

    private static async Task<DescribeLogDirsResponse> DescribeLogDirsAsync(DescribeLogDirsRequest request, ActorSelection logManager, IActorRef replicaManager, BrokerSettings settings, MetadataSnapshot snapshot)
    {
        var described = await logManager.Ask<LogManager.LogDirDescribed>(LogManager.DescribeLogDir.Instance, settings.RequestTimeout).ConfigureAwait(false);
        IReadOnlyDictionary<(string, int), ReplicaFetcher.FollowerPosition> followers;
        try
        {
            followers = (await replicaManager.Ask<ReplicaManager.FollowerPositions>(ReplicaManager.GetFollowerPositions.Instance, settings.RequestTimeout).ConfigureAwait(false))
                .Positions.ToDictionary(p => (p.TopicId, p.Partition));
        }
        catch (AskTimeoutException)
        {
            followers = new Dictionary<(string, int), ReplicaFetcher.FollowerPosition>();
        }

        var wanted = request.Topics.Count == 0 ? null : request.Topics.GroupBy(t => t.Topic, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(t => t.Partitions).ToHashSet(), StringComparer.Ordinal);
        var live = snapshot.Topics.ToDictionary(t => t.TopicId, StringComparer.Ordinal);
        var response = new DescribeLogDirsResponse
        {
            NodeId = settings.NodeId,
            LogDir = described.LogDir,
            TotalBytes = described.TotalBytes,
            UsableBytes = described.UsableBytes,
        };
        foreach (var replica in described.Replicas.OrderBy(r => r.Topic, StringComparer.Ordinal).ThenBy(r => r.Partition))
        {
            // Logs of deleted topics (not yet removed) are not replicas any more.
            if (!live.ContainsKey(replica.TopicId))
            {
                continue;
            }

            if (wanted is not null && (!wanted.TryGetValue(replica.Topic, out var partitions) || (partitions.Count > 0 && !partitions.Contains(replica.Partition))))
            {
                continue;
            }

            var lag = followers.TryGetValue((replica.TopicId, replica.Partition), out var follower) ? Math.Max(0, follower.HighWatermark - follower.LogEndOffset) : 0;
            response.Partitions.Add(new LogDirPartition { Topic = replica.Topic, Partition = replica.Partition, Size = replica.Size, OffsetLag = lag });
        }

        return response;
    }

    private void HandleElectLeaders(ElectLeadersRequest request)
    {
        var controller = _controller;
        var timeout = request.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(request.TimeoutMs) : _settings.RequestTimeout;
        ElectLeadersAsync(controller, request, timeout).PipeTo(Sender, failure: e => new ElectLeadersResponse { ErrorCode = (int)ErrorCode.RequestTimedOut, ErrorMessage = "The controller did not answer: " + e.Message });
    }

    /// <summary>Asks the controller, then waits until every partition it accepted is led by its preferred replica.</summary>
    private static async Task<ElectLeadersResponse> ElectLeadersAsync(IActorRef controller, ElectLeadersRequest request, TimeSpan timeout)
    {
        var response = await controller.Ask<ElectLeadersResponse>(request, timeout).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + timeout;
        var waiting = response.Partitions.Where(p => p.ErrorCode == 0).ToList();
        while (waiting.Count > 0)
        {
            var snapshot = await controller.Ask<MetadataSnapshot>(new GetMetadataSnapshot(), timeout).ConfigureAwait(false);
            var partitions = snapshot.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p))).ToDictionary(x => (x.Name, x.p.Partition), x => x.p);
            waiting.RemoveAll(r => partitions.TryGetValue((r.Topic, r.Partition), out var p) && p.LeaderId == p.Replicas[0]);
            if (waiting.Count == 0)
            {
                break;
            }

            if (DateTime.UtcNow >= deadline)
            {
                foreach (var late in waiting)
                {
                    late.ErrorCode = (int)ErrorCode.RequestTimedOut;
                    late.ErrorMessage = $"The preferred replica of {late.Topic}-{late.Partition} did not take over within {timeout} (it moves at the next partition rebalance round, akka.cluster.sharding.rebalance-interval)";
                }

                break;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        return response;
    }
}
