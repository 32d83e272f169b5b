using System.Collections.Immutable;
using System.Text;
using ActorStream.Protocol;

namespace ActorStream.Broker.Group;

/// <summary>Committed offsets, their retention, resets and group deletion.</summary>
public sealed partial class GroupCoordinatorShard
{
    /// <summary>
    /// Commit offsets, one error code per partition. Whole-request checks, in Kafka's order: an admin commit (no member id,
    /// generation &lt; 0) only to an Empty or unknown group (creating it), else UNKNOWN_MEMBER_ID; an unknown group with a member
    /// → GROUP_ID_NOT_FOUND; unknown member → UNKNOWN_MEMBER_ID; stale generation → ILLEGAL_GENERATION; CompletingRebalance →
    /// REBALANCE_IN_PROGRESS. Per partition: negative offset → OFFSET_OUT_OF_RANGE; metadata too long →
    /// INVALID_COMMIT_OFFSET_SIZE; a partition the member does not hold in this generation → ILLEGAL_GENERATION (not in Kafka
    /// mode: Kafka's classic coordinator accepts any partition from a member of the current generation). Kafka mode: a
    /// <c>group.instance.id</c> held by another member id → FENCED_INSTANCE_ID.
    /// Valid partitions are committed even when others of the same request are not.
    /// </summary>
    public CoordinatorResult<CommitOffsetsResponse> Handle(CommitOffsets command)
    {
        var partitions = command.Offsets.IsDefault ? [] : command.Offsets;
        var group = Find(command.GroupId);
        var (error, member) = ValidateCommit(group, command);
        if (error != ErrorCode.None)
        {
            return NoEvents(new CommitOffsetsResponse(partitions.Select(p => new OffsetCommitPartitionResult(p.Topic, p.Partition, error)).ToImmutableArray()));
        }

        if (member is not null)
        {
            Touch(command.GroupId, member.MemberId, command.NowMs);
        }

        var results = partitions.Select(p =>
        {
            var partitionError = ValidateOffset(p);
            if (partitionError == ErrorCode.None && member is not null && group!.Mode != GroupProtocolMode.Kafka
                && !member.Holds(new GroupTopicPartition(p.Topic, p.Partition)))
            {
                partitionError = ErrorCode.IllegalGeneration;
            }

            return new OffsetCommitPartitionResult(p.Topic, p.Partition, partitionError);
        }).ToImmutableArray();
        return new(StoreOffsets(group, command.GroupId, partitions, results, command.NowMs), new CommitOffsetsResponse(results));
    }

    /// <summary>The group's committed offsets (-1 for a partition without one); every offset when no partition is named.</summary>
    public CoordinatorResult<FetchOffsetsResponse> Handle(FetchOffsets command)
    {
        if (string.IsNullOrEmpty(command.GroupId))
        {
            return NoEvents(new FetchOffsetsResponse(ErrorCode.InvalidGroupId, []));
        }

        var offsets = Find(command.GroupId)?.Offsets ?? ImmutableDictionary<GroupTopicPartition, CommittedOffset>.Empty;
        var wanted = command.Partitions.IsDefaultOrEmpty
            ? offsets.Keys.Order(GroupTopicPartition.Comparer).ToImmutableArray()
            : command.Partitions;
        return NoEvents(new FetchOffsetsResponse(ErrorCode.None, wanted.Select(tp => offsets.TryGetValue(tp, out var committed)
            ? new OffsetFetchPartitionResult(tp.Topic, tp.Partition, committed.Offset, committed.Metadata, ErrorCode.None)
            : new OffsetFetchPartitionResult(tp.Topic, tp.Partition, -1, null, ErrorCode.None)).ToImmutableArray()));
    }

    /// <summary>Sets offsets of an inactive group (Empty, or unknown: then created); NON_EMPTY_GROUP while it has members.</summary>
    public CoordinatorResult<ResetOffsetsResponse> Handle(ResetOffsets command)
    {
        var partitions = command.Offsets.IsDefault ? [] : command.Offsets;
        if (string.IsNullOrEmpty(command.GroupId))
        {
            return NoEvents(new ResetOffsetsResponse(ErrorCode.InvalidGroupId, []));
        }

        var group = Find(command.GroupId);
        if (group is not null && group.State != GroupState.Empty)
        {
            return NoEvents(new ResetOffsetsResponse(ErrorCode.NonEmptyGroup, []));
        }

        var results = partitions.Select(p => new OffsetCommitPartitionResult(p.Topic, p.Partition, ValidateOffset(p))).ToImmutableArray();
        return new(StoreOffsets(group, command.GroupId, partitions, results, command.NowMs), new ResetOffsetsResponse(ErrorCode.None, results));
    }

    /// <summary>
    /// <c>offsets.retention.minutes</c>: an Empty group's offset expires once the retention has passed since the later of its
    /// commit and the moment the group became Empty; groups with members keep all offsets. An Empty group left without
    /// offsets is deleted (Kafka's cleanup does the same).
    /// </summary>
    public CoordinatorResult<ExpireOffsetsResponse> Handle(ExpireOffsets command)
    {
        var events = ImmutableArray.CreateBuilder<IGroupEvent>();
        var groups = ImmutableArray.CreateBuilder<ExpiredGroupOffsets>();
        foreach (var group in _groups.Values.Where(g => g.State == GroupState.Empty).OrderBy(g => g.GroupId, StringComparer.Ordinal))
        {
            var expired = group.Offsets
                .Where(o => command.NowMs >= Math.Max(o.Value.CommitTimestampMs, group.StateTimestampMs) + _config.OffsetsRetentionMs)
                .Select(o => o.Key)
                .Order(GroupTopicPartition.Comparer)
                .ToImmutableArray();
            var txn = new GroupTransaction(group);
            if (!expired.IsEmpty)
            {
                txn.Emit(new OffsetsExpired(group.GroupId, expired, command.NowMs));
            }

            var deleted = txn.Current.Offsets.IsEmpty;
            if (deleted)
            {
                txn.Emit(new GroupDeleted(group.GroupId, command.NowMs));
            }

            if (!txn.Events.IsEmpty)
            {
                events.AddRange(txn.Events);
                groups.Add(new ExpiredGroupOffsets(group.GroupId, expired.Length, deleted));
            }
        }

        return new(events.ToImmutable(), new ExpireOffsetsResponse(groups.ToImmutable()));
    }

    /// <summary>
    /// Kafka's OffsetDelete: removes the partitions' committed offsets. GROUP_ID_NOT_FOUND for an unknown group; per partition
    /// GROUP_SUBSCRIBED_TO_TOPIC while a member subscribes to its topic (its explicit or decoded topics, or its pattern), so an
    /// Empty group's or an unsubscribed topic's offsets can go. A partition without an offset is no error (as Kafka).
    /// </summary>
    public CoordinatorResult<DeleteOffsetsResponse> Handle(DeleteOffsets command)
    {
        if (string.IsNullOrEmpty(command.GroupId))
        {
            return NoEvents(new DeleteOffsetsResponse(ErrorCode.InvalidGroupId, []));
        }

        var group = Find(command.GroupId);
        if (group is null)
        {
            return NoEvents(new DeleteOffsetsResponse(ErrorCode.GroupIdNotFound, []));
        }

        var partitions = command.Partitions.IsDefault ? [] : command.Partitions;
        var results = partitions.Select(p => new OffsetCommitPartitionResult(
                p.Topic,
                p.Partition,
                group.Members.Values.Any(m => IsSubscribed(m, p.Topic)) ? ErrorCode.GroupSubscribedToTopic : ErrorCode.None))
            .ToImmutableArray();
        var deleted = partitions.Where((p, i) => results[i].Error == ErrorCode.None && group.Offsets.ContainsKey(p))
            .Distinct()
            .Order(GroupTopicPartition.Comparer)
            .ToImmutableArray();
        ImmutableArray<IGroupEvent> events = deleted.IsEmpty ? [] : [new OffsetsDeleted(group.GroupId, deleted, command.NowMs)];
        return new(events, new DeleteOffsetsResponse(ErrorCode.None, results));
    }

    /// <summary>Deletes an Empty group with its offsets: GROUP_ID_NOT_FOUND if unknown, NON_EMPTY_GROUP if it has members or is rebalancing.</summary>
    public CoordinatorResult<DeleteGroupResponse> Handle(DeleteGroup command)
    {
        if (string.IsNullOrEmpty(command.GroupId))
        {
            return NoEvents(new DeleteGroupResponse(ErrorCode.InvalidGroupId));
        }

        var group = Find(command.GroupId);
        if (group is null)
        {
            return NoEvents(new DeleteGroupResponse(ErrorCode.GroupIdNotFound));
        }

        if (group.State != GroupState.Empty)
        {
            return NoEvents(new DeleteGroupResponse(ErrorCode.NonEmptyGroup));
        }

        return new([new GroupDeleted(group.GroupId, command.NowMs)], new DeleteGroupResponse(ErrorCode.None));
    }

    private static (ErrorCode Error, GroupMember? Member) ValidateCommit(ConsumerGroup? group, CommitOffsets command)
    {
        if (string.IsNullOrEmpty(command.GroupId))
        {
            return (ErrorCode.InvalidGroupId, null);
        }

        var anonymous = command.MemberId.Length == 0 && command.GenerationId < 0;
        if (group is null)
        {
            return (anonymous ? ErrorCode.None : ErrorCode.GroupIdNotFound, null);
        }

        if (anonymous)
        {
            return (group.State == GroupState.Empty ? ErrorCode.None : ErrorCode.UnknownMemberId, null);
        }

        if (IsFenced(group, command.MemberId, command.GroupInstanceId))
        {
            return (ErrorCode.FencedInstanceId, null);
        }

        if (!group.Members.TryGetValue(command.MemberId, out var member) || !SameInstance(member, command.GroupInstanceId))
        {
            return (ErrorCode.UnknownMemberId, null);
        }

        if (command.GenerationId != group.GenerationId)
        {
            return (ErrorCode.IllegalGeneration, null);
        }

        return group.State == GroupState.CompletingRebalance ? (ErrorCode.RebalanceInProgress, null) : (ErrorCode.None, member);
    }

    private ErrorCode ValidateOffset(OffsetCommitPartition partition)
    {
        if (string.IsNullOrEmpty(partition.Topic) || partition.Partition < 0)
        {
            return ErrorCode.UnknownTopicOrPartition;
        }

        if (partition.Offset < 0)
        {
            return ErrorCode.OffsetOutOfRange;
        }

        return partition.Metadata is not null && Encoding.UTF8.GetByteCount(partition.Metadata) > _config.OffsetMetadataMaxBytes
            ? ErrorCode.InvalidCommitOffsetSize
            : ErrorCode.None;
    }

    private static ImmutableArray<IGroupEvent> StoreOffsets(
        ConsumerGroup? group,
        string groupId,
        ImmutableArray<OffsetCommitPartition> partitions,
        ImmutableArray<OffsetCommitPartitionResult> results,
        long nowMs)
    {
        var accepted = partitions.Where((_, i) => results[i].Error == ErrorCode.None)
            .Select(p => new OffsetCommitEntry(p.Topic, p.Partition, p.Offset, p.Metadata))
            .ToImmutableArray();
        if (accepted.IsEmpty)
        {
            return [];
        }

        var txn = new GroupTransaction(group);
        if (group is null)
        {
            txn.Emit(new GroupCreated(groupId, nowMs));
        }

        txn.Emit(new OffsetsCommitted(groupId, accepted, nowMs));
        return txn.Events;
    }
}
