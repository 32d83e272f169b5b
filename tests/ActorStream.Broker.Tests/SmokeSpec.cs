using Akka.Actor;
using ActorStream.Broker.Tests.Support;
using ActorStream.Protocol.Client;
using ActorStream.Storage.Records;
using Google.Protobuf;

namespace ActorStream.Broker.Tests;

public class SmokeSpec
{
    [Fact]
    public async Task Node_must_create_a_topic_append_and_fetch()
    {
        var dir = Path.Combine(Path.GetTempPath(), "as-smoke-" + Guid.NewGuid().ToString("N"));
        await using var node = await TestNode.StartAsync(dir);
        var created = await node.Endpoint.Ask<CreateTopicsResponse>(new CreateTopicsRequest { Topics = { new CreatableTopic { Name = "t", NumPartitions = 2, ReplicationFactor = 1 } } }, TimeSpan.FromSeconds(30));
        Assert.Equal(0, created.Results[0].ErrorCode);
        using var builder = new RecordBatchBuilder();
        builder.Append(1, "k"u8, "v"u8);
        var produce = new ProduceRequest { Acks = -1, TimeoutMs = 30000, Partitions = { new ProducePartitionData { Topic = "t", Partition = 1, Records = ByteString.CopyFrom(builder.Build()) } } };
        var produced = await node.Endpoint.Ask<ProduceResponse>(produce, TimeSpan.FromSeconds(30));
        Assert.Equal(0, produced.Partitions[0].ErrorCode);
        Assert.Equal(0, produced.Partitions[0].BaseOffset);
        var fetched = await node.Endpoint.Ask<FetchResponse>(new FetchRequest { MaxWaitMs = 100, Partitions = { new FetchPartition { Topic = "t", Partition = 1, FetchOffset = 0 } } }, TimeSpan.FromSeconds(30));
        Assert.Single(RecordBatchReader.ReadRecords(fetched.Partitions[0].Records.Memory));
    }
}
