using Akka.Actor;
using ActorStream.Kafka.Messages;
using ActorStream.Protocol;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// ConsumerGroupDescribe v0 (KIP-848): the groups of the coordinator's server-side assignment, i.e. groups of KIP-848
/// and native consumers. A group of Kafka's classic protocol gets GROUP_ID_NOT_FOUND ("not a consumer group"), as
/// Kafka answers; DescribeGroups describes those. Every member's epoch is the group's generation; its assignment is
/// what it owns (including partitions it must still revoke), its target assignment what the coordinator assigned it.
/// </summary>
internal sealed class Api69ConsumerGroupDescribe : KafkaApi<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>
{
    /// <summary>Kafka's "not computed" value of authorized operations (there are no ACLs).</summary>
    private const int AuthorizedOperationsNotComputed = int.MinValue;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    public override string Notes => "Native and KIP-848 groups; classic groups get GROUP_ID_NOT_FOUND. No rack ids; authorized operations not computed.";

    protected override async ValueTask<ConsumerGroupDescribeResponse?> HandleAsync(
        KafkaRequestContext context, ConsumerGroupDescribeRequest request, CancellationToken cancellationToken)
    {
        var response = new ConsumerGroupDescribeResponse();
        foreach (var groupId in request.GroupIds)
        {
            response.Groups.Add(await DescribeAsync(context, groupId, cancellationToken).ConfigureAwait(false));
        }

        return response;
    }

    private static async Task<ConsumerGroupDescribeResponse.DescribedGroup> DescribeAsync(KafkaRequestContext context, string groupId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(groupId))
        {
            return Error(groupId, ErrorCode.InvalidGroupId, "GroupId can't be empty.");
        }

        NativeGroup.DescribeGroupResponse group;
        try
        {
            group = await context.Services.BrokerEndpoint
                .Ask<NativeGroup.DescribeGroupResponse>(new NativeGroup.DescribeGroupRequest { GroupId = groupId }, context.Services.RequestTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return Error(groupId, ErrorCode.CoordinatorNotAvailable, "The group coordinator did not answer in time");
        }

        var error = (ErrorCode)group.ErrorCode;
        if (error == ErrorCode.GroupIdNotFound || (error == ErrorCode.None && group.State == "Dead"))
        {
            return Error(groupId, ErrorCode.GroupIdNotFound, $"Group {groupId} not found.");
        }

        if (error != ErrorCode.None)
        {
            return Error(groupId, error, $"DescribeGroup failed: {error}");
        }

        if (group.ProtocolType is not ("native" or ""))
        {
            return Error(groupId, ErrorCode.GroupIdNotFound, $"Group {groupId} is not a consumer group (it uses Kafka's classic protocol).");
        }

        var ids = KafkaTopicIds.Get(context.Services.System);
        var described = new ConsumerGroupDescribeResponse.DescribedGroup
        {
            GroupId = groupId,
            GroupState = State(group),
            GroupEpoch = group.GenerationId,
            AssignmentEpoch = group.GenerationId,
            AssignorName = group.ProtocolName switch
            {
                "cooperative-sticky" => "uniform",
                null or "" => "",
                var name => name,
            },
            AuthorizedOperations = AuthorizedOperationsNotComputed,
        };
        foreach (var member in group.Members)
        {
            described.Members.Add(new ConsumerGroupDescribeResponse.Member
            {
                MemberId = member.MemberId,
                InstanceId = member.HasGroupInstanceId ? member.GroupInstanceId : null,
                MemberEpoch = group.GenerationId,
                ClientId = member.ClientId,
                ClientHost = member.ClientHost,
                SubscribedTopicNames = [.. member.Topics],
                SubscribedTopicRegex = member.HasTopicPattern ? member.TopicPattern : null,
                Assignment = await AssignmentAsync(context, ids, member.Assignment.Concat(member.PendingRevocation), cancellationToken).ConfigureAwait(false),
                TargetAssignment = await AssignmentAsync(context, ids, member.Assignment, cancellationToken).ConfigureAwait(false),
            });
        }

        return described;
    }

    /// <summary>Kafka's consumer group states: a round still waiting for members is Reconciling, as are revocations in flight.</summary>
    private static string State(NativeGroup.DescribeGroupResponse group) => group.State switch
    {
        "Empty" => "Empty",
        "PreparingRebalance" => "Reconciling",
        "CompletingRebalance" => "Assigning",
        "Stable" when group.Members.Any(m => m.PendingRevocation.Count > 0) => "Reconciling",
        "Stable" => "Stable",
        var other => other,
    };

    private static async Task<ConsumerGroupDescribeResponse.Assignment> AssignmentAsync(
        KafkaRequestContext context, KafkaTopicIds ids, IEnumerable<NativeGroup.GroupPartition> partitions, CancellationToken cancellationToken)
    {
        var assignment = new ConsumerGroupDescribeResponse.Assignment();
        foreach (var topic in partitions.GroupBy(p => p.Topic, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            assignment.TopicPartitions.Add(new ConsumerGroupDescribeResponse.TopicPartitions
            {
                TopicId = await ids.IdAsync(context, topic.Key, cancellationToken).ConfigureAwait(false),
                TopicName = topic.Key,
                Partitions = [.. topic.Select(p => p.Partition).Distinct().Order()],
            });
        }

        return assignment;
    }

    private static ConsumerGroupDescribeResponse.DescribedGroup Error(string groupId, ErrorCode error, string message) =>
        new() { GroupId = groupId, ErrorCode = (short)error, ErrorMessage = message, AuthorizedOperations = AuthorizedOperationsNotComputed };
}
