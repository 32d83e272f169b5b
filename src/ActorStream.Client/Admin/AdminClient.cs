using ActorStream.Client.Config;
using ActorStream.Client.Connection;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.Protocol.Group;

namespace ActorStream.Client.Admin;

/// <summary>
/// Topic administration (Kafka's Admin client). Every call fails with an <see cref="ActorStreamException"/> carrying
/// the broker's error code for the first topic that failed. Thread-safe.
/// </summary>
public sealed class AdminClient : IAsyncDisposable
{
    private readonly AdminConfig _config;
    private readonly Task<ClientConnection> _started;

    public AdminClient(AdminConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        _started = ClientConnection.ConnectAsync(config);
    }

    public Task ConnectedTask => _started;

    /// <summary>Creates one topic and returns its topic id.</summary>
    public async Task<string> CreateTopicsAsync(
        string name,
        int numPartitions = -1,
        short replicationFactor = -1,
        IReadOnlyDictionary<string, string>? configs = null,
        CancellationToken cancellationToken = default)
    {
        var ids = await CreateTopicsAsync([new NewTopic(name, numPartitions, replicationFactor) { Configs = configs }], cancellationToken).ConfigureAwait(false);
        return ids[name];
    }

    /// <summary>Creates topics; returns their topic ids by name. Throws for the first topic the cluster refused.</summary>
    public async Task<IReadOnlyDictionary<string, string>> CreateTopicsAsync(IEnumerable<NewTopic> topics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var request = new CreateTopicsRequest();
        foreach (var topic in topics)
        {
            var creatable = new CreatableTopic { Name = topic.Name, NumPartitions = topic.NumPartitions, ReplicationFactor = topic.ReplicationFactor };
            if (topic.Configs is not null)
            {
                foreach (var (key, value) in topic.Configs)
                {
                    creatable.Configs[key] = value;
                }
            }

            request.Topics.Add(creatable);
        }

        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.AskAnyAsync<CreateTopicsResponse>(request, cancellationToken).ConfigureAwait(false);
        ThrowFirstError(response.Results, "create");
        return response.Results.ToDictionary(r => r.Name, r => r.TopicId, StringComparer.Ordinal);
    }

    public async Task DeleteTopicsAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        var request = new DeleteTopicsRequest();
        request.Names.AddRange(names);
        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.AskAnyAsync<DeleteTopicsResponse>(request, cancellationToken).ConfigureAwait(false);
        ThrowFirstError(response.Results, "delete");
    }

    /// <summary>Kafka's createPartitions: grows each topic to the given partition count (partitions are never removed).</summary>
    public async Task CreatePartitionsAsync(IReadOnlyDictionary<string, int> newCounts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newCounts);
        var request = new CreatePartitionsRequest();
        request.Topics.AddRange(newCounts.Select(c => new CreatePartitionsTopic { Name = c.Key, Count = c.Value }));
        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.AskAnyAsync<CreatePartitionsResponse>(request, cancellationToken).ConfigureAwait(false);
        ThrowFirstError(response.Results, "add partitions to");
    }

    /// <summary>
    /// Kafka's alterPartitionReassignments: moves each partition's replicas to the given node ids (the first is the
    /// preferred leader). Returns once the controller accepted it; the move completes when the new replicas have caught
    /// up (watch <see cref="DescribeTopicsAsync"/>: the replicas become exactly the target).
    /// </summary>
    public async Task AlterPartitionReassignmentsAsync(IReadOnlyDictionary<TopicPartition, IReadOnlyList<int>> reassignments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reassignments);
        var request = new ReassignPartitionsRequest();
        request.Partitions.AddRange(reassignments.Select(r => new PartitionReassignment { Topic = r.Key.Topic, Partition = r.Key.Partition, Replicas = { r.Value } }));
        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.AskAnyAsync<ReassignPartitionsResponse>(request, cancellationToken).ConfigureAwait(false);
        if (response.Results.FirstOrDefault(r => r.ErrorCode != 0) is { } failed)
        {
            throw ActorStreamException.For(new TopicPartition(failed.Topic, failed.Partition), (ErrorCode)failed.ErrorCode, $"Cannot reassign {failed.Topic}-{failed.Partition}: {failed.ErrorMessage}");
        }
    }

    /// <summary>Kafka's describeConfigs for a topic: every topic config with its value and where it comes from.</summary>
    public async Task<IReadOnlyList<ConfigEntry>> DescribeTopicConfigsAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var request = new DescribeConfigsRequest { Resources = { new DescribeConfigsResource { ResourceType = 2, ResourceName = topic } } };
        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.AskAnyAsync<DescribeConfigsResponse>(request, cancellationToken).ConfigureAwait(false);
        var result = response.Results.Single();
        if ((ErrorCode)result.ErrorCode != ErrorCode.None)
        {
            throw ActorStreamException.For(new TopicPartition(topic, -1), (ErrorCode)result.ErrorCode, $"Cannot describe the configs of topic '{topic}': {result.ErrorMessage}");
        }

        return result.Configs.Select(c => new ConfigEntry(c.Name, c.Value, Enum.IsDefined((ConfigSource)c.ConfigSource) ? (ConfigSource)c.ConfigSource : ConfigSource.Unknown, c.ReadOnly)).ToList();
    }

    /// <summary>
    /// Kafka's incrementalAlterConfigs for a topic: sets each config with a value, and deletes each whose value is null
    /// (it falls back to the broker default). The leaders apply the change at once.
    /// </summary>
    public async Task AlterTopicConfigsAsync(string topic, IReadOnlyDictionary<string, string?> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(changes);
        var resource = new AlterConfigsResource { ResourceType = 2, ResourceName = topic };
        foreach (var (name, value) in changes)
        {
            resource.Configs.Add(value is null ? new AlterableConfig { Name = name, ConfigOperation = 1 } : new AlterableConfig { Name = name, ConfigOperation = 0, Value = value });
        }

        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.AskAnyAsync<AlterConfigsResponse>(new AlterConfigsRequest { Resources = { resource }, Incremental = true }, cancellationToken).ConfigureAwait(false);
        var result = response.Results.Single();
        if ((ErrorCode)result.ErrorCode != ErrorCode.None)
        {
            throw ActorStreamException.For(new TopicPartition(topic, -1), (ErrorCode)result.ErrorCode, $"Cannot alter the configs of topic '{topic}': {result.ErrorMessage}");
        }
    }

    /// <summary>Names of every topic.</summary>
    public async Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken = default)
    {
        var response = await MetadataAsync(new MetadataRequest { AllTopics = true, AllowAutoTopicCreation = false }, cancellationToken).ConfigureAwait(false);
        return response.Topics.Where(t => t.ErrorCode == 0).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The cluster id, the controller's node and every registered broker with its Kafka listeners.</summary>
    public async Task<ClusterDescription> DescribeClusterAsync(CancellationToken cancellationToken = default)
    {
        var response = await MetadataAsync(new MetadataRequest { AllowAutoTopicCreation = false }, cancellationToken).ConfigureAwait(false);
        return new ClusterDescription(
            response.ClusterId,
            response.ControllerId,
            response.Brokers.OrderBy(b => b.NodeId)
                .Select(b => new BrokerDescription(b.NodeId, b.Host, b.Port, b.KafkaListeners.Select(l => $"{l.Name}://{l.Host}:{l.Port}").ToList()))
                .ToList());
    }

    public Task<IReadOnlyList<TopicDescription>> DescribeTopicsAsync(IEnumerable<string> names, CancellationToken cancellationToken = default) =>
        DescribeTopicsAsync(names, allowAutoTopicCreation: false, cancellationToken);

    /// <summary>
    /// Describes topics; with <paramref name="allowAutoTopicCreation"/> the way a consumer's metadata request does
    /// (Kafka's <c>allow.auto.create.topics</c>): a broker with <c>auto.create.topics.enable</c> creates the missing ones.
    /// </summary>
    public async Task<IReadOnlyList<TopicDescription>> DescribeTopicsAsync(IEnumerable<string> names, bool allowAutoTopicCreation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(names);
        var request = new MetadataRequest { AllowAutoTopicCreation = allowAutoTopicCreation };
        request.Topics.AddRange(names);
        var response = await MetadataAsync(request, cancellationToken).ConfigureAwait(false);
        var descriptions = new List<TopicDescription>();
        foreach (var topic in response.Topics)
        {
            if ((ErrorCode)topic.ErrorCode != ErrorCode.None)
            {
                throw ActorStreamException.For(new TopicPartition(topic.Name, -1), (ErrorCode)topic.ErrorCode, $"Cannot describe topic {topic.Name}: {topic.ErrorMessage}");
            }

            descriptions.Add(new TopicDescription(
                topic.Name,
                topic.TopicId,
                topic.Partitions.OrderBy(p => p.Partition)
                    .Select(p => new TopicPartitionInfo(p.Partition, p.LeaderId, p.LeaderEpoch, p.Replicas.ToList(), p.Isr.ToList()))
                    .ToList(),
                new Dictionary<string, string>(topic.Configs, StringComparer.Ordinal)));
        }

        return descriptions;
    }

    /// <summary>Offsets by timestamp per partition (<see cref="OffsetSpec.Earliest"/>, <see cref="OffsetSpec.Latest"/> or a time in ms).</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, ListOffsetsResult>> ListOffsetsAsync(
        IReadOnlyDictionary<TopicPartition, long> timestamps,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        await connection.RefreshAsync(timestamps.Keys.Select(tp => tp.Topic).Distinct(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var found = await OffsetLookup.ListAsync(
            connection,
            timestamps,
            TimeSpan.FromMilliseconds(_config.RequestTimeoutMs),
            TimeSpan.FromMilliseconds(_config.RetryBackoffMs),
            cancellationToken).ConfigureAwait(false);
        return found.ToDictionary(f => f.Key, f => new ListOffsetsResult(f.Value.Offset, f.Value.Timestamp));
    }

    /// <summary>Every consumer group (optionally only those in <paramref name="states"/>).</summary>
    public async Task<IReadOnlyList<GroupListing>> ListGroupsAsync(IEnumerable<string>? states = null, CancellationToken cancellationToken = default)
    {
        var request = new ListGroupsRequest();
        if (states is not null)
        {
            request.States.AddRange(states);
        }

        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.AskAnyAsync<ListGroupsResponse>(request, cancellationToken).ConfigureAwait(false);
        ThrowGroupError(response.ErrorCode, "list groups");
        return response.Groups
            .Select(g => new GroupListing(g.GroupId, g.State, g.ProtocolType) { KafkaProtocolType = g.KafkaProtocolType.Length == 0 ? "consumer" : g.KafkaProtocolType })
            .OrderBy(g => g.GroupId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A group's state, members, and per partition the committed offset, log end offset (ListOffsets latest) and lag.</summary>
    public async Task<GroupDescription> DescribeGroupAsync(string groupId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        // From the coordinator's node (Kafka's describe shows the COORDINATOR): which node hosts it right now.
        var coordinator = new GroupCoordinatorLookup(connection, TimeSpan.FromMilliseconds(_config.RetryBackoffMs));
        var response = await coordinator.AskAsync<DescribeGroupResponse>(new DescribeGroupRequest { GroupId = groupId }, r => r.ErrorCode, connection.RequestTimeout, cancellationToken).ConfigureAwait(false);
        ThrowGroupError(response.ErrorCode, $"describe group '{groupId}'");
        var members = response.Members
            .Select(m => new GroupMemberInfo(
                m.MemberId,
                m.HasGroupInstanceId ? m.GroupInstanceId : null,
                m.ClientId,
                m.Topics.ToList(),
                m.Assignment.Select(p => new TopicPartition(p.Topic, p.Partition)).ToList())
            {
                ClientHost = m.ClientHost,
            })
            .ToList();
        var owners = new Dictionary<TopicPartition, string>();
        foreach (var member in members)
        {
            foreach (var tp in member.Assignment)
            {
                owners[tp] = member.MemberId;
            }
        }

        var committed = response.Offsets.ToDictionary(o => new TopicPartition(o.Topic, o.Partition), o => o.Offset);
        var partitions = committed.Keys.Union(owners.Keys).ToList();
        var ends = partitions.Count == 0
            ? new Dictionary<TopicPartition, ListOffsetsResult>()
            : await ListOffsetsAsync(partitions.ToDictionary(tp => tp, _ => OffsetSpec.Latest), cancellationToken).ConfigureAwait(false);
        var offsets = partitions
            .OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition)
            .Select(tp =>
            {
                long? offset = committed.TryGetValue(tp, out var c) && c >= 0 ? c : null;
                var end = ends.TryGetValue(tp, out var e) ? e.Offset : -1;
                long? lag = offset is { } o && end >= 0 ? Math.Max(0, end - o) : null;
                return new GroupPartitionOffset(tp, offset, end, lag, owners.GetValueOrDefault(tp));
            })
            .ToList();
        return new GroupDescription(
            response.GroupId.Length == 0 ? groupId : response.GroupId,
            response.State,
            response.ProtocolType,
            response.GenerationId,
            response.HasProtocolName ? response.ProtocolName : null,
            members,
            offsets)
        {
            CoordinatorId = coordinator.Current,
        };
    }

    /// <summary>Deletes groups (only groups without members can be deleted: NON_EMPTY_GROUP otherwise).</summary>
    public async Task DeleteGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupIds);
        var request = new DeleteGroupsRequest();
        request.GroupIds.AddRange(groupIds);
        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.AskAnyAsync<DeleteGroupsResponse>(request, cancellationToken).ConfigureAwait(false);
        foreach (var result in response.Results)
        {
            ThrowGroupError(result.ErrorCode, $"delete group '{result.GroupId}'");
        }
    }

    /// <summary>The group's committed offsets (Kafka's listConsumerGroupOffsets): every partition it has one for, or only
    /// <paramref name="partitions"/>. Partitions without a committed offset are left out; an unknown group has none.</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> ListConsumerGroupOffsetsAsync(
        string groupId,
        IEnumerable<TopicPartition>? partitions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        var request = new OffsetFetchRequest { GroupId = groupId };
        if (partitions is not null)
        {
            request.Partitions.AddRange(partitions.Select(tp => new GroupPartition { Topic = tp.Topic, Partition = tp.Partition }));
        }

        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.AskAnyAsync<OffsetFetchResponse>(request, cancellationToken).ConfigureAwait(false);
        ThrowGroupError(response.ErrorCode, $"list offsets of group '{groupId}'");
        var offsets = new Dictionary<TopicPartition, long>();
        foreach (var partition in response.Partitions)
        {
            var tp = new TopicPartition(partition.Topic, partition.Partition);
            var code = (ErrorCode)partition.ErrorCode;
            if (code != ErrorCode.None)
            {
                throw ActorStreamException.For(tp, code, $"Cannot list the offset of group '{groupId}'");
            }

            if (partition.Offset >= 0)
            {
                offsets[tp] = partition.Offset;
            }
        }

        return offsets;
    }

    /// <summary>
    /// Sets a group's committed offsets (Kafka's alterConsumerGroupOffsets), e.g. a plan of <see cref="OffsetResetPlanner"/>.
    /// Only an inactive group can be changed (Empty, or unknown: then it is created); consumers that join afterwards
    /// start at these offsets.
    /// </summary>
    /// <exception cref="ActorStreamException">
    /// NON_EMPTY_GROUP while the group has members (nothing changed); otherwise the first partition the coordinator
    /// refused (e.g. OFFSET_OUT_OF_RANGE for a negative offset): the other partitions of the request are still set.
    /// </exception>
    public async Task AlterConsumerGroupOffsetsAsync(
        string groupId,
        IReadOnlyDictionary<TopicPartition, long> offsets,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentNullException.ThrowIfNull(offsets);
        var request = new ResetOffsetsRequest { GroupId = groupId };
        request.Offsets.AddRange(offsets.Select(o => new OffsetCommitPartition { Topic = o.Key.Topic, Partition = o.Key.Partition, Offset = o.Value }));
        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.AskAnyAsync<ResetOffsetsResponse>(request, cancellationToken).ConfigureAwait(false);
        if ((ErrorCode)response.ErrorCode == ErrorCode.NonEmptyGroup)
        {
            throw new ActorStreamException(
                ErrorCode.NonEmptyGroup,
                $"Cannot reset the offsets of group '{groupId}': it has active members; offsets can only be reset while the group is inactive (stop its consumers first)");
        }

        ThrowGroupError(response.ErrorCode, $"reset the offsets of group '{groupId}'");
        foreach (var partition in response.Partitions)
        {
            var code = (ErrorCode)partition.ErrorCode;
            if (code != ErrorCode.None)
            {
                var tp = new TopicPartition(partition.Topic, partition.Partition);
                throw ActorStreamException.For(tp, code, $"Cannot reset the offset of group '{groupId}' to {offsets.GetValueOrDefault(tp)}");
            }
        }
    }

    private static void ThrowGroupError(int errorCode, string operation)
    {
        var code = (ErrorCode)errorCode;
        if (code != ErrorCode.None)
        {
            throw new ActorStreamException(code, $"Cannot {operation}");
        }
    }

    private async Task<MetadataResponse> MetadataAsync(MetadataRequest request, CancellationToken cancellationToken)
    {
        var connection = await _started.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await connection.AskAnyAsync<MetadataResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    private static void ThrowFirstError(IEnumerable<TopicResult> results, string operation)
    {
        foreach (var result in results)
        {
            var code = (ErrorCode)result.ErrorCode;
            if (code != ErrorCode.None)
            {
                throw ActorStreamException.For(new TopicPartition(result.Name, -1), code, $"Cannot {operation} topic '{result.Name}': {result.ErrorMessage}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            var connection = await _started.ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (ActorStreamException)
        {
            // Never connected: nothing to stop.
        }
    }
}
