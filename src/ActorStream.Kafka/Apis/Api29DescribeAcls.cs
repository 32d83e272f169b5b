using ActorStream.Kafka.Messages;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// DescribeAcls v0-3: SECURITY_DISABLED, as a Kafka broker without an authorizer answers. ActorStream has no ACLs yet;
/// admin UIs (kafka-ui, AKHQ) show "no ACLs" or hide their ACL page on this error.
/// </summary>
internal sealed class Api29DescribeAcls : KafkaApi<DescribeAclsRequest, DescribeAclsResponse>
{
    /// <summary>Kafka's SECURITY_DISABLED.</summary>
    private const short SecurityDisabled = 54;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    public override string Notes => "Always SECURITY_DISABLED: ACLs do not exist yet.";

    protected override ValueTask<DescribeAclsResponse?> HandleAsync(KafkaRequestContext context, DescribeAclsRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DescribeAclsResponse?>(new DescribeAclsResponse
        {
            ErrorCode = SecurityDisabled,
            ErrorMessage = "ACLs do not exist in ActorStream yet: there is no authorizer, every client may do everything",
        });
}
