using System.Text;
using Akka.Actor;
using ActorStream.Broker.Logs;
using ActorStream.Protocol;
using ActorStream.Protocol.Client;
using ActorStream.Storage.Records;
using ActorStream.TestKit;
using Google.Protobuf;
using BrokerNode = ActorStream.Broker.Hosting.BrokerNode;

namespace ActorStream.Broker.Tests.Replication;

/// <summary>
/// A single-partition topic of a <see cref="TestCluster"/>, driven through the node endpoints as a client would: create,
/// produce with given acks, and wait for a node's metadata to show the partition in a wanted state.
/// </summary>
public sealed class ReplicatedTopic
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    private ReplicatedTopic(TestCluster cluster, string name, string topicId)
    {
        Cluster = cluster;
        Name = name;
        TopicId = topicId;
    }

    public TestCluster Cluster { get; }

    public string Name { get; }

    public string TopicId { get; }

    public static async Task<ReplicatedTopic> CreateAsync(TestCluster cluster, string prefix, int minInsync, int replicationFactor = 3)
    {
        var name = prefix + "-" + Guid.NewGuid().ToString("N")[..10];
        var created = await cluster[cluster.Running[0]].Endpoint.Ask<CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics =
            {
                new CreatableTopic
                {
                    Name = name,
                    NumPartitions = 1,
                    ReplicationFactor = (short)replicationFactor,
                    Configs = { ["min.insync.replicas"] = minInsync.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                },
            },
        }, AskTimeout);
        var result = created.Results.Single();
        Assert.Equal(ErrorCode.None, (ErrorCode)result.ErrorCode);
        return new ReplicatedTopic(cluster, name, result.TopicId);
    }

    /// <summary>Produces one batch of <paramref name="values"/> to partition 0 through <paramref name="node"/>'s endpoint.</summary>
    public async Task<ProducePartitionResponse> ProduceAsync(BrokerNode node, IReadOnlyList<string> values, int acks, int timeoutMs = 20_000)
    {
        using var builder = new RecordBatchBuilder();
        foreach (var value in values)
        {
            builder.Append(1000, null, Encoding.UTF8.GetBytes(value));
        }

        var response = await node.Endpoint.Ask<ProduceResponse>(new ProduceRequest
        {
            Acks = acks,
            TimeoutMs = timeoutMs,
            Partitions = { new ProducePartitionData { Topic = Name, Partition = 0, Records = ByteString.CopyFrom(builder.Build()) } },
        }, TimeSpan.FromMilliseconds(timeoutMs) + AskTimeout);
        return response.Partitions.Single();
    }

    /// <summary>Partition 0 as node <paramref name="nodeIndex"/>'s endpoint sees it, once <paramref name="condition"/> holds.</summary>
    public async Task<PartitionMetadata> AwaitPartitionAsync(int nodeIndex, Func<PartitionMetadata, bool> condition, string what)
    {
        PartitionMetadata? found = null;
        await Eventually.TrueAsync(async () =>
        {
            var metadata = await Cluster[nodeIndex].Endpoint.Ask<MetadataResponse>(new MetadataRequest { Topics = { Name } }, AskTimeout);
            // A node's metadata may not know a just-created topic yet (no partitions listed).
            found = metadata.Topics.SingleOrDefault()?.Partitions.SingleOrDefault();
            return found is not null && condition(found);
        }, TestCluster.Timeout, $"{Name}-0 seen by node {nodeIndex}: {what}");
        return found!;
    }

    /// <summary>
    /// Reads partition 0 from offset 0 through <paramref name="node"/>'s endpoint, as a consumer would, until
    /// <paramref name="count"/> records have arrived.
    /// </summary>
    public async Task<List<string>> FetchAllAsync(BrokerNode node, int count)
    {
        var values = new List<string>();
        FetchPartitionResponse? last = null;
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                var response = await node.Endpoint.Ask<FetchResponse>(new FetchRequest
                {
                    MaxWaitMs = 500,
                    MaxBytes = 1024 * 1024,
                    Partitions = { new FetchPartition { Topic = Name, Partition = 0, FetchOffset = values.Count } },
                }, AskTimeout);
                last = response.Partitions.Single();
                var records = RecordBatchReader.ReadRecords(last.Records.Memory).Where(r => r.Offset >= values.Count);
                values.AddRange(records.Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)));
                return values.Count >= count;
            }, TestCluster.Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"{count} records of {Name}-0 not readable through node {node.Settings.NodeId}: got {values.Count}, last fetch answered {(ErrorCode?)last?.ErrorCode} (high watermark {last?.HighWatermark})");
        }

        return values;
    }

    /// <summary>Node <paramref name="nodeIndex"/>'s directory of partition 0 (<c>&lt;data&gt;/logs/&lt;topic&gt;-0-&lt;topic id&gt;</c>).</summary>
    public string DirectoryOn(int nodeIndex) =>
        Path.Combine(Cluster.DataDir(nodeIndex), "logs", LogManager.DirectoryName(Name, 0, TopicId));

    /// <summary>Node <paramref name="nodeIndex"/>'s copy of partition 0 on disk (see <see cref="ReplicaCopy"/>).</summary>
    public IReadOnlyList<(long Offset, string Value)> CopyOn(int nodeIndex) =>
        ReplicaCopy.Read(Cluster.DataDir(nodeIndex), Name, 0, TopicId);

    public static List<string> Values(string prefix, int from, int count) =>
        Enumerable.Range(from, count).Select(n => $"{prefix}{n:D4}").ToList();
}
