using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit;
using ActorStream.Broker.Replication;
using ActorStream.Protocol.Client;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// Plays a leader node's endpoint for a <see cref="ReplicaFetcher"/> in a test's own ActorSystem: an actor at
/// <c>/user/broker</c> (the path <see cref="ReplicaManager"/> gives a fetcher) hands every request to a probe, so
/// the test sees each <see cref="FetchRequest"/> and answers it itself. A request the test is not waiting for gets
/// what a real leader with nothing new answers once <c>max_wait_ms</c> has passed (an empty, error-free partition
/// at the fetch offset), so the fetcher neither spins nor stalls while the test waits.
/// </summary>
public sealed class FakeLeaderEndpoint
{
    private readonly ActorSystem _system;
    private readonly TestProbe _probe;

    public FakeLeaderEndpoint(TestKitBase testKit)
    {
        _system = testKit.Sys;
        _probe = testKit.CreateTestProbe("leader-endpoint");
        _system.ActorOf(Props.Create(() => new Forwarder(_probe.Ref)), "broker");
        Endpoint = ((ExtendedActorSystem)_system).Provider.DefaultAddress + "/user/broker";
    }

    /// <summary>What the fetcher is told to fetch from (<c>&lt;address&gt;/user/broker</c>, as ReplicaManager builds it).</summary>
    public string Endpoint { get; }

    /// <summary>
    /// Waits for the first fetch that <paramref name="wanted"/> accepts and returns it unanswered; every fetch before
    /// it is answered with "nothing new" after its max wait.
    /// </summary>
    public async Task<Fetch> ExpectFetchAsync(Func<FetchRequest, bool> wanted, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var remaining = timeout - clock.Elapsed;
            var request = await _probe.ExpectMsgAsync<FetchRequest>(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            var replyTo = _probe.LastSender;
            if (wanted(request))
            {
                return new Fetch(request, replyTo);
            }

            _system.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(request.MaxWaitMs), replyTo, NothingNew(request), ActorRefs.NoSender);
        }
    }

    private static FetchResponse NothingNew(FetchRequest request)
    {
        var response = new FetchResponse { CorrelationId = request.CorrelationId };
        response.Partitions.AddRange(request.Partitions.Select(p => new FetchPartitionResponse
        {
            Topic = p.Topic,
            Partition = p.Partition,
            HighWatermark = p.FetchOffset,
        }));
        return response;
    }

    /// <summary>A fetch the test answers itself.</summary>
    public sealed record Fetch(FetchRequest Request, IActorRef ReplyTo)
    {
        public FetchPartition Partition(int partition) => Request.Partitions.Single(p => p.Partition == partition);

        public void Reply(params FetchPartitionResponse[] partitions) =>
            ReplyTo.Tell(new FetchResponse { CorrelationId = Request.CorrelationId, Partitions = { partitions } });
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef target) => ReceiveAny(message => target.Forward(message));
    }
}
