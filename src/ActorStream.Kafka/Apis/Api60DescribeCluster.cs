using ActorStream.Kafka.Messages;
using Native = ActorStream.Protocol.Client;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// DescribeCluster v0-1: the cluster id, the controller's node id (always one of the listed brokers), and the nodes at
/// their addresses for the listener the request arrived on. Only brokers are described (endpoint type 1); asking for
/// controllers (type 2) gets UNSUPPORTED_ENDPOINT_TYPE, as a Kafka broker answers. Authorized operations are not
/// computed (-2147483648): there are no ACLs.
/// </summary>
internal sealed class Api60DescribeCluster : KafkaApi<DescribeClusterRequest, DescribeClusterResponse>
{
    /// <summary>Kafka's UNSUPPORTED_ENDPOINT_TYPE.</summary>
    private const short UnsupportedEndpointType = 119;

    private const sbyte BrokersEndpointType = 1;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    public override string Notes => "Brokers only (endpoint type 1); rack null; cluster authorized operations not computed.";

    protected override async ValueTask<DescribeClusterResponse?> HandleAsync(KafkaRequestContext context, DescribeClusterRequest request, CancellationToken cancellationToken)
    {
        var response = new DescribeClusterResponse { EndpointType = request.EndpointType, ClusterId = context.Services.ClusterId };
        if (context.Header.ApiVersion >= 1 && request.EndpointType != BrokersEndpointType)
        {
            response.EndpointType = BrokersEndpointType;
            response.ErrorCode = UnsupportedEndpointType;
            response.ErrorMessage = $"Endpoint type {request.EndpointType} is not served: a node describes brokers (1) only";
            return response;
        }

        var metadata = await KafkaAdminRequests.AskAsync<Native.MetadataResponse>(context, new Native.MetadataRequest(), context.Services.RequestTimeout, cancellationToken).ConfigureAwait(false);
        if (metadata is null)
        {
            response.ErrorCode = (short)ActorStream.Protocol.ErrorCode.RequestTimedOut;
            response.ErrorMessage = "The node's endpoint did not answer in time";
            return response;
        }

        if (!string.IsNullOrEmpty(metadata.ClusterId))
        {
            response.ClusterId = metadata.ClusterId;
        }

        response.Brokers.AddRange(Brokers(context, metadata));
        response.ControllerId = response.Brokers.Any(b => b.BrokerId == metadata.ControllerId) ? metadata.ControllerId : response.Brokers.Min(b => b.BrokerId);
        return response;
    }

    /// <summary>Every node at its address for the request's listener (<see cref="KafkaBrokers"/>, as Metadata lists them).</summary>
    private static IEnumerable<DescribeClusterResponse.DescribeClusterBroker> Brokers(KafkaRequestContext context, Native.MetadataResponse metadata) =>
        KafkaBrokers.For(context, metadata).Select(b => new DescribeClusterResponse.DescribeClusterBroker { BrokerId = b.NodeId, Host = b.Host, Port = b.Port, Rack = null });
}
