using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using AkkaConfig = Akka.Configuration.Config;
using ActorStream.Broker.Hosting;
using ActorStream.Kafka.Hosting;

namespace ActorStream.TestKit;

/// <summary>
/// Several real broker nodes in one process (DESIGN.md section 8: no multi-node kit here), each an ActorSystem on its own
/// loopback port (any free one at its first start, port 0, kept for its restarts; the Kafka port is 0) with the <c>cluster-node</c> profile, its own node id (= its index) and data dir
/// (<c>&lt;root&gt;/node-N</c>), and all sharing one metadata journal (one journal per cluster): by default the SQLite file
/// <c>&lt;root&gt;/metadata.db</c>, or the <c>journal</c> given to <see cref="StartAsync"/> (e.g. a
/// <see cref="PostgresSchema.JournalSpec"/>). Node 0 is the seed, so it is the oldest member until it stops.
/// <para>
/// Test-only timing knobs (<see cref="TimingConfig"/>): gossip and leader actions every 200 ms instead of 1 s, so a join or a
/// graceful leave converges in well under a second. The failure detector and the split brain resolver keep the profile's
/// settings: a graceful leave needs neither, and tighter ones would down nodes on this loaded 2-core machine.
/// </para>
/// <para>
/// A graceful stop (<see cref="StopNodeAsync"/>) runs CoordinatedShutdown: Leaving → Exiting (singletons hand over, shards
/// hand off) → Removed. Keep-majority does not down the survivor of a two-node cluster then: the resolver leaves Exiting
/// members out of its decision (Akka.Cluster SBR <c>DowningStrategy.Members</c>, <c>IsAllUnreachableDownOrExiting</c>), and the
/// leaving node only terminates after its cluster-exiting phase. Only if that phase timed out (10 s by default) would the
/// node vanish while still Leaving, and keep-majority would then keep the half with the lowest address, possibly the leaver.
/// <see cref="StopNodeAsync"/> checks the outcome: it waits until the survivors are all Up with nobody unreachable, which a
/// downed survivor fails.
/// </para>
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    /// <summary>Generous: several ActorSystems, a shared SQLite file and other test processes share 2 cores.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Faster gossip than Akka's defaults (see the class summary); overridable through the <c>extra</c> config.</summary>
    public const string TimingConfig = """
        akka.cluster {
          gossip-interval = 200ms
          leader-actions-interval = 200ms
        }
        """;

    /// <summary>
    /// The throttler transport adapter (DESIGN.md section 8), for specs that cut nodes apart: addresses become
    /// <c>akka.trttl.tcp://...</c>.
    /// </summary>
    public const string ThrottledTransportConfig = "akka.remote.dot-netty.tcp.applied-adapters = [trttl]";

    private readonly BrokerNode?[] _nodes;
    private readonly string _extra;

    private readonly int[] _ports;

    private TestCluster(string rootDir, int size, string extra, string? journal, bool throttled, bool kafka)
    {
        RootDir = rootDir;
        Kafka = kafka;
        _ports = new int[size];
        Throttled = throttled;
        _extra = throttled ? extra + "\n" + ThrottledTransportConfig : extra;
        Journal = journal ?? "sqlite:" + JournalPath;
        _nodes = new BrokerNode?[size];
    }

    /// <summary>Holds every node's data dir and the shared journal; deleted on dispose.</summary>
    public string RootDir { get; }

    /// <summary>The default journal's SQLite file (used unless <see cref="StartAsync"/> was given another journal).</summary>
    public string JournalPath => Path.Combine(RootDir, "metadata.db");

    /// <summary>The <c>actorstream.broker.journal</c> every node uses.</summary>
    public string Journal { get; }

    /// <summary>
    /// Node i's Akka.Remote port: bound at its first start (0 until then), then fixed for the cluster's lifetime, so a node
    /// restarts on the same address.
    /// </summary>
    public IReadOnlyList<int> Ports => _ports;

    public int Size => _nodes.Length;

    /// <summary>Whether every node runs its Kafka gateway (see <see cref="StartAsync"/>, <see cref="KafkaBootstrap"/>).</summary>
    public bool Kafka { get; }

    /// <summary>Node <paramref name="index"/>'s Kafka bootstrap server, <c>127.0.0.1:PORT</c> (a new free port at every start).</summary>
    public string KafkaBootstrap(int index) => this[index].KafkaBootstrap();

    /// <summary>Every running node's Kafka bootstrap server, comma-separated (Kafka's <c>bootstrap.servers</c>).</summary>
    public string KafkaBootstrapServers => string.Join(',', Running.Select(KafkaBootstrap));

    /// <summary>Whether the nodes run the throttler transport adapter (see <see cref="StartAsync"/>).</summary>
    public bool Throttled { get; }

    /// <summary>Indexes of the nodes running now.</summary>
    public IReadOnlyList<int> Running => Enumerable.Range(0, Size).Where(i => _nodes[i] is not null).ToList();

    /// <summary>Node <paramref name="index"/>, which must be running.</summary>
    public BrokerNode this[int index] => _nodes[index] ?? throw new InvalidOperationException($"Node {index} is not running");

    public string DataDir(int index) => Path.Combine(RootDir, $"node-{index}");

    public Address AddressOf(int index) => new(Throttled ? "akka.trttl.tcp" : "akka.tcp", BrokerNode.SystemName, "127.0.0.1", Ports[index]);

    /// <summary>
    /// Starts <paramref name="size"/> nodes one after the other (node 0 first, as the seed) and waits until every one of them
    /// sees all of them Up. <paramref name="extra"/> is HOCON given to every node, above the profile. <paramref name="journal"/>
    /// is the shared journal (<c>sqlite:PATH</c> or <c>postgres:CONNSTR</c>); by default the SQLite file <see cref="JournalPath"/>.
    /// <paramref name="throttled"/> applies the throttler transport adapter (<see cref="ThrottledTransportConfig"/>), so a spec
    /// can blackhole nodes from each other through the transport's management commands. <paramref name="kafka"/> starts every
    /// node's Kafka gateway (one PLAINTEXT listener on a free loopback port each, <see cref="KafkaBootstrap"/>).
    /// </summary>
    public static async Task<TestCluster> StartAsync(int size, string extra = "", string? journal = null, bool throttled = false, bool kafka = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var rootDir = Path.Combine(Path.GetTempPath(), "actorstream-cluster", Guid.NewGuid().ToString("N"));
        var cluster = new TestCluster(rootDir, size, extra, journal, throttled, kafka);
        try
        {
            for (var i = 0; i < size; i++)
            {
                await cluster.StartNodeAsync(i, seeds: i == 0 ? [] : [cluster.AddressOf(0)]).ConfigureAwait(false);
            }

            await cluster.WaitForMembersUpAsync().ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The config node <paramref name="index"/> starts with: cluster profile, seeds, shared journal, own data dir and id.</summary>
    public AkkaConfig NodeConfig(int index, IEnumerable<Address> seeds) =>
        KafkaConfig.WithDefaults(BrokerConfig.Build(
            ConfigurationFactory.ParseString($$"""
                actorstream.broker {
                  node-id = {{index}}
                  data-dir = "{{Escape(DataDir(index))}}"
                  journal = {{TestNode.Quote(Journal)}}
                  port = {{_ports[index]}}
                  kafka-port = 0
                }
                akka.cluster.seed-nodes = [{{string.Join(", ", seeds.Select(s => $"\"{s}\""))}}]
                akka.loglevel = WARNING
                {{_extra}}
                """)
                .WithFallback(ConfigurationFactory.ParseString(TimingConfig)),
            userConfig: null,
            profile: "cluster-node"));

    /// <summary>
    /// (Re)starts node <paramref name="index"/> on its port (any free one at its first start) and data dir. Without
    /// <paramref name="seeds"/> it joins through the running nodes (or forms a cluster of its own when none runs; so does an
    /// empty <paramref name="seeds"/>). Returns once the node is Up and registered.
    /// </summary>
    public async Task<BrokerNode> StartNodeAsync(int index, IReadOnlyList<Address>? seeds = null)
    {
        if (_nodes[index] is not null)
        {
            throw new InvalidOperationException($"Node {index} is already running");
        }

        seeds ??= Running.Select(AddressOf).ToList();
        var config = NodeConfig(index, seeds);
        var node = await BrokerNode.StartAsync(config, Kafka ? KafkaGateway.For(config) : []).ConfigureAwait(false);
        _ports[index] = node.Settings.Port;
        _nodes[index] = node;
        return node;
    }

    /// <summary>
    /// Stops node <paramref name="index"/> gracefully (CoordinatedShutdown: it leaves, its singletons hand over), then waits
    /// until every remaining node has removed it and still sees all the remaining ones Up.
    /// </summary>
    public async Task StopNodeAsync(int index)
    {
        var node = this[index];
        await node.StopAsync().ConfigureAwait(false);
        _nodes[index] = null;
        await WaitForMembersUpAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until node <paramref name="index"/>'s ActorSystem has terminated on its own (e.g. downed by the split brain
    /// resolver) and frees its slot, so <see cref="StartNodeAsync"/> can start a new incarnation.
    /// </summary>
    public async Task AwaitTerminatedAsync(int index, TimeSpan timeout)
    {
        await this[index].System.WhenTerminated.WaitAsync(timeout).ConfigureAwait(false);
        _nodes[index] = null;
    }

    /// <summary>Waits until every running node sees exactly the running nodes as members, all Up (and nobody unreachable).</summary>
    public Task WaitForMembersUpAsync() =>
        Eventually.TrueAsync(
            () =>
            {
                var expected = Running.Select(AddressOf).ToHashSet();
                return Running.All(i =>
                {
                    var state = Cluster.Get(this[i].System).State;
                    return state.Unreachable.IsEmpty
                        && state.Members.Count == expected.Count
                        && state.Members.All(m => m.Status == MemberStatus.Up && expected.Contains(m.Address));
                });
            },
            Timeout,
            $"nodes {string.Join(", ", Running)} all Up and seeing each other");

    /// <summary>The index of the oldest Up member as node <paramref name="observer"/> sees it: where cluster singletons run.</summary>
    public int OldestIndex(int? observer = null)
    {
        var state = Cluster.Get(this[observer ?? Running[0]].System).State;
        var oldest = state.Members.Where(m => m.Status == MemberStatus.Up).Aggregate((a, b) => b.IsOlderThan(a) ? b : a);
        return Enumerable.Range(0, Size).Single(i => AddressOf(i).Equals(oldest.Address));
    }

    private int? SafeOldestIndex()
    {
        try
        {
            return OldestIndex();
        }
        catch (InvalidOperationException)
        {
            // No Up member seen (e.g. a node that failed half-way through starting): any order will do.
            return null;
        }
    }

    /// <summary>
    /// Whether the singleton managed by <c>/user/<paramref name="managerName"/></c> (e.g. <c>group-coordinator</c>) runs on node
    /// <paramref name="index"/> now (the manager's child is called <c>singleton</c>).
    /// </summary>
    public async Task<bool> HostsSingletonAsync(int index, string managerName)
    {
        try
        {
            await this[index].System.ActorSelection($"/user/{managerName}/singleton").ResolveOne(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            return true;
        }
        catch (ActorNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Stops every running node, the oldest last (so the singletons do not hop from node to node), then deletes the root dir.</summary>
    public async ValueTask DisposeAsync()
    {
        while (Running.Count > 0)
        {
            var oldest = SafeOldestIndex();
            var index = Running.Where(i => i != oldest).DefaultIfEmpty(Running[0]).First();
            await this[index].StopAsync().ConfigureAwait(false);
            _nodes[index] = null;
        }

        try
        {
            Directory.Delete(RootDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // A SQLite connection pool may still hold the journal open for a moment; the temp dir is disposable anyway.
        }
    }

    private static string Escape(string path) => path.Replace("\\", "\\\\", StringComparison.Ordinal);
}
