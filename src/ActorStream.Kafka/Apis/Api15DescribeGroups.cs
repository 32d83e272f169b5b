using ActorStream.Kafka.Messages;
using ActorStream.Kafka.Protocol;
using ActorStream.Protocol;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// DescribeGroups v0-5: state, protocol type and name, members with client id and host. A Kafka-protocol group's
/// members carry their metadata and assignment bytes as stored; a native or classic-mode group's are encoded as
/// ConsumerProtocolSubscription / ConsumerProtocolAssignment (version 0) from the topics and partitions the coordinator
/// holds, so Kafka's admin tools read every group's assignment. As Kafka's classic coordinator: the protocol name and
/// the members' bytes only in Stable, an unknown group is "Dead" without an error (v0-5 have no GROUP_ID_NOT_FOUND).
/// Authorized operations (v3+) are not computed (there are no ACLs): Kafka's "omitted" value, INT32 minimum.
/// </summary>
internal sealed class Api15DescribeGroups : KafkaApi<DescribeGroupsRequest, DescribeGroupsResponse>
{
    private const string KafkaMode = "kafka";

    private const string StableState = "Stable";

    private const string DeadState = "Dead";

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    public override string Notes =>
        "Kafka-protocol groups with their stored bytes; native groups with ConsumerProtocol bytes encoded from their topics and assignment; unknown groups Dead.";

    protected override async ValueTask<DescribeGroupsResponse?> HandleAsync(KafkaRequestContext context, DescribeGroupsRequest request, CancellationToken cancellationToken)
    {
        var response = new DescribeGroupsResponse();
        foreach (var groupId in request.Groups)
        {
            response.Groups.Add(await DescribeAsync(context, groupId, cancellationToken).ConfigureAwait(false));
        }

        return response;
    }

    private static async Task<DescribeGroupsResponse.DescribedGroup> DescribeAsync(KafkaRequestContext context, string groupId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(groupId))
        {
            return Failed(groupId, ErrorCode.InvalidGroupId);
        }

        var (answer, error) = await KafkaGroupCoordinator.AskAsync<NativeGroup.DescribeGroupResponse>(context, new NativeGroup.DescribeGroupRequest { GroupId = groupId }, context.Services.RequestTimeout, cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            return Failed(groupId, error);
        }

        if ((ErrorCode)answer.ErrorCode == ErrorCode.GroupIdNotFound)
        {
            return new DescribeGroupsResponse.DescribedGroup { GroupId = groupId, GroupState = DeadState };
        }

        if (answer.ErrorCode != 0)
        {
            return Failed(groupId, (ErrorCode)answer.ErrorCode);
        }

        var stable = answer.State == StableState;
        var kafka = answer.ProtocolType == KafkaMode;
        return new DescribeGroupsResponse.DescribedGroup
        {
            GroupId = answer.GroupId,
            GroupState = answer.State,
            ProtocolType = answer.KafkaProtocolType,
            ProtocolData = stable && answer.HasProtocolName ? answer.ProtocolName : "",
            Members = answer.Members.Select(m => new DescribeGroupsResponse.DescribedGroupMember
            {
                MemberId = m.MemberId,
                GroupInstanceId = m.HasGroupInstanceId ? m.GroupInstanceId : null,
                ClientId = m.ClientId,
                ClientHost = m.ClientHost,
                MemberMetadata = !stable ? [] : kafka ? m.Metadata.ToByteArray() : Subscription(m),
                MemberAssignment = !stable ? [] : kafka ? m.KafkaAssignment.ToByteArray() : Assignment(m),
            }).ToList(),
        };
    }

    private static DescribeGroupsResponse.DescribedGroup Failed(string groupId, ErrorCode error) =>
        new() { GroupId = groupId, ErrorCode = (short)error };

    private static byte[] Subscription(NativeGroup.GroupMemberDescription member) =>
        ConsumerProtocol.SerializeSubscription(new ConsumerProtocolSubscription { Topics = [.. member.Topics] }, version: 0);

    private static byte[] Assignment(NativeGroup.GroupMemberDescription member) =>
        ConsumerProtocol.SerializeAssignment(
            new ConsumerProtocolAssignment
            {
                AssignedPartitions = member.Assignment
                    .GroupBy(p => p.Topic, StringComparer.Ordinal)
                    .Select(t => new ConsumerProtocolAssignment.TopicPartition { Topic = t.Key, Partitions = t.Select(p => p.Partition).Order().ToList() })
                    .ToList(),
            },
            version: 0);
}
