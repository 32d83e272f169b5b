using System.Collections.Immutable;

namespace ActorStream.Broker.Group;

/// <summary>The partitions one member is assigned (or, in <see cref="GenerationCompleted.PendingRevocations"/>, must give up).</summary>
public sealed record MemberAssignment(string MemberId, ImmutableArray<GroupTopicPartition> Partitions);
