using System.Net;
using Akka.Actor;
using ActorStream.Protocol;
using Native = ActorStream.Protocol.Client;
using NativeGroup = ActorStream.Protocol.Group;

namespace ActorStream.Kafka.Apis;

/// <summary>
/// How the group handlers reach the group coordinator: through the node's endpoint, and only on the node that hosts the
/// coordinator singleton (the node FindCoordinator names), as a Kafka broker serves only the groups it coordinates.
/// Elsewhere a request gets NOT_COORDINATOR at once and the client looks the coordinator up again; a request that gets
/// no answer in time (the singleton is moving) gets COORDINATOR_NOT_AVAILABLE. Both are retriable: the client's
/// connection stays open. A parked request (a JoinGroup waiting for the round, a follower's SyncGroup waiting for the
/// leader) re-checks every <see cref="ParkedCheckInterval"/> that the coordinator is still here, so a coordinator that
/// left the node answers its parked members with COORDINATOR_NOT_AVAILABLE rather than after their rebalance timeout.
/// </summary>
internal static class KafkaGroupCoordinator
{
    /// <summary>Added to a parked request's own timeout (rebalance or session timeout) for the coordinator to answer.</summary>
    public static readonly TimeSpan ParkedMargin = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ParkedCheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Asks the coordinator: the answer, or null with NOT_COORDINATOR (not on this node) or COORDINATOR_NOT_AVAILABLE
    /// (no answer within <paramref name="timeout"/>, or the coordinator left this node while the request was parked).
    /// </summary>
    public static async Task<(T? Response, ErrorCode Error)> AskAsync<T>(KafkaRequestContext context, object request, TimeSpan timeout, CancellationToken cancellationToken)
        where T : class
    {
        if (!await IsLocalAsync(context, cancellationToken).ConfigureAwait(false))
        {
            return (null, ErrorCode.NotCoordinator);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ask = context.Services.BrokerEndpoint.Ask<T>(request, timeout, stop.Token);
        try
        {
            while (true)
            {
                var done = await Task.WhenAny(ask, Task.Delay(ParkedCheckInterval, stop.Token)).ConfigureAwait(false);
                if (done == ask)
                {
                    return (await ask.ConfigureAwait(false), ErrorCode.None);
                }

                if (!await IsLocalAsync(context, cancellationToken).ConfigureAwait(false))
                {
                    return (null, ErrorCode.CoordinatorNotAvailable);
                }
            }
        }
        catch (AskTimeoutException)
        {
            return (null, ErrorCode.CoordinatorNotAvailable);
        }
        finally
        {
            // Ends the delay and, when the answer never came, the Ask's temporary actor.
            await stop.CancelAsync().ConfigureAwait(false);
            _ = ask.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }

    /// <summary>Whether the group coordinator singleton runs on this node (the endpoint answers for itself only).</summary>
    public static async Task<bool> IsLocalAsync(KafkaRequestContext context, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await context.Services.BrokerEndpoint
                .Ask<NativeGroup.FindCoordinatorResponse>(new NativeGroup.FindCoordinatorRequest(), context.Services.RequestTimeout, cancellationToken)
                .ConfigureAwait(false);
            return answer.ErrorCode == (int)ErrorCode.None;
        }
        catch (AskTimeoutException)
        {
            return false;
        }
    }

    /// <summary>A member's address as Kafka reports it (<c>"/" + host address</c>, "/127.0.0.1").</summary>
    public static string ClientHost(EndPoint? remote) => remote switch
    {
        IPEndPoint { Address: var address } => "/" + (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address),
        DnsEndPoint dns => "/" + dns.Host,
        null => "",
        _ => "/" + remote,
    };

    /// <summary>
    /// The partitions of <paramref name="topics"/> this node's metadata knows, for Kafka's UNKNOWN_TOPIC_OR_PARTITION on
    /// commits and offset deletes; null when the metadata did not answer (then nothing is refused).
    /// </summary>
    public static async Task<HashSet<(string Topic, int Partition)>?> KnownPartitionsAsync(KafkaRequestContext context, IEnumerable<string> topics, CancellationToken cancellationToken)
    {
        var request = new Native.MetadataRequest { AllowAutoTopicCreation = false };
        request.Topics.AddRange(topics.Distinct(StringComparer.Ordinal));
        if (request.Topics.Count == 0)
        {
            return [];
        }

        try
        {
            var metadata = await context.Services.BrokerEndpoint
                .Ask<Native.MetadataResponse>(request, context.Services.RequestTimeout, cancellationToken)
                .ConfigureAwait(false);
            return metadata.Topics
                .Where(t => t.ErrorCode == (int)ErrorCode.None)
                .SelectMany(t => t.Partitions.Select(p => (t.Name, p.Partition)))
                .ToHashSet();
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>A Kafka error code from a native reply's int32 error code.</summary>
    public static short Code(int nativeErrorCode) => (short)nativeErrorCode;
}
